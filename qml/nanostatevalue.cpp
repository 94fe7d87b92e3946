// SPDX-License-Identifier: MIT
#include "nanostatevalue.h"
#include "nanostateconnection.h"
#include "nanostatejs.h"

#include <nanostateapp.h>

NanostateValue::NanostateValue(QObject *parent) : QObject(parent) { }

NanostateValue::~NanostateValue() = default;

NanostateConnection *NanostateValue::source() const
{
    return m_source;
}

void NanostateValue::setSource(NanostateConnection *source)
{
    if (source == m_source)
        return;
    for (const QMetaObject::Connection &c : qAsConst(m_connections))
        disconnect(c);
    m_connections.clear();
    unbind();
    m_source = source;
    if (source) {
        NanostateApp *app = source->app();
        m_connections = {
                connect(app, &NanostateApp::stateUpdated, this, &NanostateValue::onStateUpdated),
                connect(app, &NanostateApp::stateRemoved, this, &NanostateValue::onStateRemoved),
                connect(app, &NanostateApp::syncedChanged, this, &NanostateValue::onSyncedChanged),
                connect(app, &NanostateApp::openChanged, this, &NanostateValue::onOpenChanged),
                connect(source, &QObject::destroyed, this, [this] { setSource(nullptr); }),
        };
    }
    emit sourceChanged();
    tryBind();
}

QString NanostateValue::name() const
{
    return m_name;
}

void NanostateValue::setName(const QString &name)
{
    if (name == m_name)
        return;
    unbind();
    m_name = name;
    emit nameChanged();
    tryBind();
}

QVariant NanostateValue::value() const
{
    return m_value;
}

void NanostateValue::setValue(const QVariant &input)
{
    const QVariant value = NanostateJs::normalized(input);
    if (NanostateJs::same(value, m_value))
        return;
    if (!m_bound) {
        m_value = value;
        m_pending = true;
        emit valueChanged();
        return;
    }
    // Set first: the App reports our own set at once, and finds it unchanged.
    const QVariant old = m_value;
    m_value = value;
    if (!m_source->publish(m_name, value)) {
        m_value = old; // refused: the connection emitted errorOccurred
        return;
    }
    emit valueChanged();
}

bool NanostateValue::exists() const
{
    return m_exists;
}

QString NanostateValue::stateSender() const
{
    return m_sender;
}

void NanostateValue::classBegin()
{
    m_complete = false;
}

void NanostateValue::componentComplete()
{
    m_complete = true;
    tryBind();
}

void NanostateValue::tryBind()
{
    if (m_bound || !m_complete || !m_source || m_name.isEmpty())
        return;
    NanostateApp *app = m_source->app();
    if (!app->isSynced())
        return;
    m_bound = true;
    const bool proposal = m_pending;
    m_pending = false;
    if (app->hasState(m_name)) {
        show(app->state(m_name), true, app->stateSender(m_name));
    } else if (proposal) {
        if (!m_source->publish(m_name, m_value))
            show(QVariant(), false, QString()); // refused: nothing to show
    } else {
        show(QVariant(), false, QString());
    }
}

void NanostateValue::unbind()
{
    // Before it is complete, QML may set name after value: keep that value.
    if (!m_complete)
        return;
    if (m_bound) {
        m_bound = false;
        m_pending = false; // the value shown is the old state's, no proposal
    }
    setExists(false, QString());
}

void NanostateValue::show(const QVariant &value, bool exists, const QString &sender)
{
    setExists(exists, sender);
    if (NanostateJs::same(value, m_value))
        return;
    m_value = value;
    emit valueChanged();
}

void NanostateValue::setExists(bool exists, const QString &sender)
{
    if (sender != m_sender) {
        m_sender = sender;
        emit senderChanged();
    }
    if (exists != m_exists) {
        m_exists = exists;
        emit existsChanged();
    }
}

void NanostateValue::onStateUpdated(const QString &name, const QVariant &value,
                                    const QString &sender)
{
    if (m_bound && name == m_name)
        show(value, true, sender);
}

void NanostateValue::onSyncedChanged(bool synced)
{
    if (synced)
        tryBind();
}

void NanostateValue::onOpenChanged(bool open)
{
    if (!open)
        unbind(); // the App forgot every state
}

void NanostateValue::onStateRemoved(const QString &name)
{
    if (m_bound && name == m_name)
        show(QVariant(), false, QString());
}
