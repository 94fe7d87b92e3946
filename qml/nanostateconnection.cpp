// SPDX-License-Identifier: MIT
#include "nanostateconnection.h"
#include "nanostatejs.h"
#include "nanostatestatemap.h"

#include <nanostateapp.h>

NanostateConnection::NanostateConnection(QObject *parent)
    : QObject(parent),
      m_app(new NanostateApp(this)),
      m_states(new NanostateStateMap(
              [this](const QString &name, const QVariant &value) {
                  // The App reports our own set at once: the map must not
                  // be written while it is writing this very key.
                  m_writing = name;
                  const bool ok = publish(name, value);
                  m_writing.clear();
                  return ok;
              },
              this))
{
    connect(m_app, &NanostateApp::urlChanged, this, &NanostateConnection::urlChanged);
    connect(m_app, &NanostateApp::identityChanged, this, &NanostateConnection::identityChanged);
    connect(m_app, &NanostateApp::connectedChanged, this, &NanostateConnection::connectedChanged);
    connect(m_app, &NanostateApp::syncedChanged, this, [this](bool synced) {
        if (synced)
            reconcile();
        emit syncedChanged();
    });
    connect(m_app, &NanostateApp::openChanged, this, [this](bool open) {
        if (!open)
            reconcile(); // the App forgot every state at close()
    });
    connect(m_app, &NanostateApp::stateUpdated, this, &NanostateConnection::onStateUpdated);
    connect(m_app, &NanostateApp::stateRemoved, this, &NanostateConnection::onStateRemoved);
    connect(m_app, &NanostateApp::errorOccurred, this,
            [this](NanostateApp::Error, const QString &message) { emit errorOccurred(message); });
}

NanostateConnection::~NanostateConnection() = default;

QString NanostateConnection::url() const
{
    return m_app->url();
}

void NanostateConnection::setUrl(const QString &url)
{
    if (url == m_url)
        return;
    m_url = url;
    m_app->setUrl(url);
    reopen();
}

QString NanostateConnection::identity() const
{
    return m_app->identity();
}

void NanostateConnection::setIdentity(const QString &identity)
{
    if (identity == m_identity)
        return;
    m_identity = identity;
    m_app->setIdentity(identity);
    reopen();
}

bool NanostateConnection::isActive() const
{
    return m_active;
}

void NanostateConnection::setActive(bool active)
{
    if (active == m_active)
        return;
    m_active = active;
    if (m_complete) {
        if (active)
            m_app->open();
        else
            m_app->close();
    }
    emit activeChanged();
}

bool NanostateConnection::isConnected() const
{
    return m_app->isConnected();
}

bool NanostateConnection::isSynced() const
{
    return m_app->isSynced();
}

QQmlPropertyMap *NanostateConnection::states() const
{
    return m_states;
}

bool NanostateConnection::set(const QString &name, const QJSValue &value)
{
    return publish(name, NanostateJs::fromJs(value));
}

QVariant NanostateConnection::get(const QString &name, const QVariant &defaultValue) const
{
    return m_app->state(name, defaultValue);
}

bool NanostateConnection::remove(const QString &name)
{
    return m_app->removeState(name);
}

QStringList NanostateConnection::names() const
{
    return m_app->stateNames(); // QVariantMap keys: already sorted
}

NanostateApp *NanostateConnection::app() const
{
    return m_app;
}

bool NanostateConnection::publish(const QString &name, const QVariant &value)
{
    return m_app->setState(name, value);
}

void NanostateConnection::classBegin()
{
    m_complete = false;
}

void NanostateConnection::componentComplete()
{
    m_complete = true;
    if (m_active)
        m_app->open();
}

void NanostateConnection::reopen()
{
    if (m_complete && m_active)
        m_app->open(); // closes first
}

void NanostateConnection::onStateUpdated(const QString &name, const QVariant &value,
                                         const QString &sender)
{
    if (name != m_writing && NanostateStateMap::isMappable(name))
        m_states->insert(name, value);
    emit stateUpdated(name, value, sender);
}

void NanostateConnection::onStateRemoved(const QString &name)
{
    if (NanostateStateMap::isMappable(name) && m_states->contains(name))
        m_states->clear(name); // bindings read undefined
    emit stateRemoved(name);
}

// Brings the map in line with the App's replica after a close or a resync,
// where the App does not report every difference one by one.
void NanostateConnection::reconcile()
{
    const QVariantMap states = m_app->states();
    for (const QString &key : m_states->keys()) {
        if (!states.contains(key) && m_states->value(key).isValid())
            m_states->clear(key);
    }
    for (auto it = states.constBegin(); it != states.constEnd(); ++it) {
        if (NanostateStateMap::isMappable(it.key())
            && !NanostateJs::same(m_states->value(it.key()), it.value()))
            m_states->insert(it.key(), it.value());
    }
}
