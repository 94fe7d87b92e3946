// SPDX-License-Identifier: MIT
#include "nanostateapp.h"
#include "nanostateapp_p.h"
#include "nanostatevariant.h"

#include <QtCore/QCoreApplication>

NanostateAppPrivate::NanostateAppPrivate(NanostateApp *q) : q_ptr(q), timer(new QTimer(q))
{
    timer->setSingleShot(true);
    timer->setTimerType(Qt::PreciseTimer);
}

void NanostateAppPrivate::onUpdate(void *user, const nanostate_update *u)
{
    auto *d = static_cast<NanostateAppPrivate *>(user);
    Event e;
    e.name = QString::fromUtf8(u->name, int(u->name_len));
    e.sender = QString::fromUtf8(u->sender);
    e.removed = u->removed != 0;
    if (!e.removed) {
        QString error;
        e.value = NanostateVariant::unpack(static_cast<const char *>(u->value.packed),
                                           u->value.size, &error);
        if (!error.isEmpty())
            qWarning("NanostateApp: cannot decode '%s': %s", u->name, qPrintable(error));
    }
    d->events.append(e);
}

void NanostateAppPrivate::onConnect(void *user, int connected)
{
    static_cast<NanostateAppPrivate *>(user)->connectedEvent = connected ? 1 : 0;
}

void NanostateAppPrivate::emitEvents()
{
    Q_Q(NanostateApp);
    const QVector<Event> batch = std::move(events);
    events.clear();
    const quint64 current = generation;
    const int conn = connectedEvent;
    connectedEvent = -1;
    if (conn >= 0 && bool(conn) != connected) {
        connected = conn;
        emit q->connectedChanged(connected);
        if (generation != current)
            return; // a slot closed the App
    }
    // Only the newest change of each name is emitted: it is what the replica
    // holds. An older value written back by a slot would be a real change,
    // and two Apps doing so would replay each other's batches forever.
    QHash<QString, int> newest;
    for (int i = 0; i < batch.size(); ++i)
        newest.insert(batch.at(i).name, i);
    for (const Event &e : batch) {
        if (e.removed) {
            states.remove(e.name);
            senders.remove(e.name);
        } else {
            states.insert(e.name, e.value);
            senders.insert(e.name, e.sender);
        }
    }
    if (!batch.isEmpty())
        emit q->statesChanged();
    for (int i = 0; i < batch.size(); ++i) {
        if (generation != current)
            return; // a slot closed the App: nothing more from this batch
        const Event &e = batch.at(i);
        if (newest.value(e.name) != i)
            continue;
        if (e.removed)
            emit q->stateRemoved(e.name);
        else
            emit q->stateUpdated(e.name, e.value, e.sender);
    }
    checkSynced();
}

void NanostateAppPrivate::checkSynced()
{
    Q_Q(NanostateApp);
    const bool now = app && nanostate_app_is_synced(app);
    if (now != synced) {
        synced = now;
        emit q->syncedChanged(synced);
    }
}

void NanostateAppPrivate::dispatch()
{
    if (!app)
        return;
    dispatching = true;
    nanostate_app_dispatch(app);
    dispatching = false;
    armTimer();
    emitEvents();
    if (closeRequested) {
        closeRequested = false;
        q_ptr->close();
    }
}

void NanostateAppPrivate::armTimer()
{
    const int ms = app ? nanostate_app_timeout(app) : -1;
    if (ms < 0)
        timer->stop();
    else
        timer->start(ms);
}

bool NanostateAppPrivate::fail(NanostateApp::Error e, const QString &message)
{
    Q_Q(NanostateApp);
    error = e;
    errorString = message;
    emit q->errorOccurred(e, message);
    return false;
}

bool NanostateAppPrivate::failCode(int code, const QString &context)
{
    NanostateApp::Error e;
    switch (code) {
    case NANOSTATE_EURL: e = NanostateApp::InvalidUrlError; break;
    case NANOSTATE_ENAME: e = NanostateApp::InvalidNameError; break;
    case NANOSTATE_EVALUE: e = NanostateApp::UnsupportedValueError; break;
    case NANOSTATE_ETOOBIG: e = NanostateApp::ValueTooLargeError; break;
    default: e = NanostateApp::TransportError; break;
    }
    return fail(e, QStringLiteral("%1: %2").arg(context, QString::fromUtf8(nanostate_strerror(code))));
}

void NanostateAppPrivate::release()
{
    // The notifier may be the sender of the slot we are in: let the event
    // loop delete it.
    if (notifier) {
        notifier->setEnabled(false);
        notifier->deleteLater();
        notifier = nullptr;
    }
    timer->stop();
    nanostate_app_close(app);
    app = nullptr;
    ++generation;
}

NanostateApp::NanostateApp(QObject *parent) : NanostateApp(QString(), QString(), parent) { }

NanostateApp::NanostateApp(const QString &url, const QString &identity, QObject *parent)
    : QObject(parent), d_ptr(new NanostateAppPrivate(this))
{
    Q_D(NanostateApp);
    d->url = url;
    d->identity = identity;
    qRegisterMetaType<NanostateApp::Error>();
    connect(d->timer, &QTimer::timeout, this, [d] { d->dispatch(); });
}

NanostateApp::~NanostateApp()
{
    Q_D(NanostateApp);
    d->release();
}

QString NanostateApp::url() const
{
    Q_D(const NanostateApp);
    if (!d->url.isEmpty())
        return d->url;
    const QByteArray env = qgetenv(NANOSTATE_URL_ENV);
    return env.isEmpty() ? QStringLiteral(NANOSTATE_DEFAULT_URL) : QString::fromUtf8(env);
}

void NanostateApp::setUrl(const QString &url)
{
    Q_D(NanostateApp);
    if (d->url == url)
        return;
    d->url = url;
    emit urlChanged();
}

QString NanostateApp::identity() const
{
    Q_D(const NanostateApp);
    if (!d->identity.isEmpty())
        return d->identity;
    const QString name = QCoreApplication::applicationName();
    return QStringLiteral("%1-%2")
        .arg(name.isEmpty() ? QStringLiteral("qt") : name)
        .arg(QCoreApplication::applicationPid());
}

void NanostateApp::setIdentity(const QString &identity)
{
    Q_D(NanostateApp);
    if (d->identity == identity)
        return;
    d->identity = identity;
    emit identityChanged();
}

bool NanostateApp::isOpen() const
{
    Q_D(const NanostateApp);
    return d->app != nullptr;
}

bool NanostateApp::isConnected() const
{
    Q_D(const NanostateApp);
    return d->connected;
}

bool NanostateApp::isSynced() const
{
    Q_D(const NanostateApp);
    return d->synced;
}

QVariantMap NanostateApp::states() const
{
    Q_D(const NanostateApp);
    return d->states;
}

QVariant NanostateApp::state(const QString &name, const QVariant &defaultValue) const
{
    Q_D(const NanostateApp);
    return d->states.value(name, defaultValue);
}

bool NanostateApp::hasState(const QString &name) const
{
    Q_D(const NanostateApp);
    return d->states.contains(name);
}

QString NanostateApp::stateSender(const QString &name) const
{
    Q_D(const NanostateApp);
    return d->senders.value(name);
}

QStringList NanostateApp::stateNames() const
{
    Q_D(const NanostateApp);
    return d->states.keys();
}

int NanostateApp::pendingCount() const
{
    Q_D(const NanostateApp);
    return d->app ? int(nanostate_app_pending(d->app)) : 0;
}

bool NanostateApp::waitForAccepted(int msecs)
{
    Q_D(NanostateApp);
    if (!d->app || d->dispatching)
        return false;
    d->dispatching = true;
    const int rc = nanostate_app_flush(d->app, msecs);
    d->dispatching = false;
    d->armTimer();
    d->emitEvents();
    if (d->closeRequested) {
        d->closeRequested = false;
        close();
    }
    return rc == 0;
}

NanostateApp::Error NanostateApp::error() const
{
    Q_D(const NanostateApp);
    return d->error;
}

QString NanostateApp::errorString() const
{
    Q_D(const NanostateApp);
    return d->errorString;
}

nanostate_app *NanostateApp::handle() const
{
    Q_D(const NanostateApp);
    return d->app;
}

bool NanostateApp::open()
{
    Q_D(NanostateApp);
    if (d->app)
        close();
    const QByteArray id = identity().toUtf8();
    const QByteArray address = url().toUtf8();
    int rc = nanostate_app_create(&d->app, id.constData());
    if (rc == 0)
        rc = nanostate_app_connect(d->app, address.constData());
    if (rc != 0) {
        nanostate_app_close(d->app);
        d->app = nullptr;
        return d->failCode(rc, QStringLiteral("cannot open %1").arg(url()));
    }
    nanostate_app_on_update(d->app, NanostateAppPrivate::onUpdate, d, 1);
    nanostate_app_on_connect(d->app, NanostateAppPrivate::onConnect, d);
    d->notifier = new QSocketNotifier(nanostate_app_fd(d->app), QSocketNotifier::Read, this);
    connect(d->notifier, &QSocketNotifier::activated, this, [d] { d->dispatch(); });
    d->error = NoError;
    d->errorString.clear();
    d->armTimer();
    emit openChanged(true);
    return true;
}

void NanostateApp::close()
{
    Q_D(NanostateApp);
    if (!d->app)
        return;
    if (d->dispatching) {
        d->closeRequested = true;
        return;
    }
    d->release();
    d->events.clear();
    d->connectedEvent = -1;
    const bool hadStates = !d->states.isEmpty();
    d->states.clear();
    d->senders.clear();
    if (d->connected) {
        d->connected = false;
        emit connectedChanged(false);
    }
    if (d->synced) {
        d->synced = false;
        emit syncedChanged(false);
    }
    if (hadStates)
        emit statesChanged();
    emit openChanged(false);
}

bool NanostateApp::setState(const QString &name, const QVariant &value)
{
    Q_D(NanostateApp);
    if (!d->app)
        return d->fail(NotOpenError, QStringLiteral("cannot set '%1': the App is not open").arg(name));
    QString error;
    const QByteArray packed = NanostateVariant::pack(value, &error);
    if (!error.isEmpty())
        return d->fail(UnsupportedValueError, QStringLiteral("cannot set '%1': %2").arg(name, error));
    const QByteArray utf8 = name.toUtf8();
    const int rc = nanostate_app_set_packed(d->app, utf8.constData(), packed.constData(),
                                            size_t(packed.size()));
    if (rc != 0)
        return d->failCode(rc, QStringLiteral("cannot set '%1'").arg(name));
    d->armTimer();
    if (!d->dispatching)
        d->emitEvents();
    return true;
}

bool NanostateApp::removeState(const QString &name)
{
    Q_D(NanostateApp);
    if (!d->app)
        return d->fail(NotOpenError, QStringLiteral("cannot remove '%1': the App is not open").arg(name));
    const QByteArray utf8 = name.toUtf8();
    const int rc = nanostate_app_remove(d->app, utf8.constData());
    if (rc != 0)
        return d->failCode(rc, QStringLiteral("cannot remove '%1'").arg(name));
    d->armTimer();
    if (!d->dispatching)
        d->emitEvents();
    return true;
}
