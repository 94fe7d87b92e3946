// SPDX-License-Identifier: MIT
#include "hubengine.h"

#include <QtCore/QSocketNotifier>

namespace {
HubState toHubState(const nanostate_hub_state *s)
{
    HubState st;
    st.name = QString::fromUtf8(s->name, int(s->name_len));
    st.value = QByteArray(static_cast<const char *>(s->value.packed), int(s->value.size));
    st.sender = QString::fromUtf8(s->sender);
    st.version = s->version;
    st.updates = s->updates;
    st.changedMs = s->changed_ms;
    st.removed = s->value.size == 0;
    return st;
}
} // namespace

HubEngine::HubEngine(QObject *parent) : QObject(parent)
{
    qRegisterMetaType<HubState>();
    stateChangedSignal = QMetaMethod::fromSignal(&HubEngine::stateChanged);
    timer.setSingleShot(true);
    timer.setTimerType(Qt::PreciseTimer);
    connect(&timer, &QTimer::timeout, this, &HubEngine::dispatch);
    const int rc = nanostate_hub_create(&hub);
    if (rc != 0) {
        hub = nullptr;
        error = QStringLiteral("cannot create the hub: %1").arg(QString::fromUtf8(nanostate_strerror(rc)));
        return;
    }
    nanostate_hub_on_output(hub, &HubEngine::onOutput, this);
    nanostate_hub_on_change(hub, &HubEngine::onChange, this);
    nanostate_hub_on_log(hub, &HubEngine::onLog, this);
}

HubEngine::~HubEngine()
{
    timer.stop();
    delete notifier;
    // Closing saves the state file when a change is still unsaved.
    nanostate_hub_close(hub);
}

bool HubEngine::check(int rc, const QString &context)
{
    if (rc == 0)
        return true;
    error = QStringLiteral("%1: %2").arg(context, QString::fromUtf8(nanostate_strerror(rc)));
    return false;
}

bool HubEngine::setMaxFrame(int bytes)
{
    if (!check(nanostate_hub_set_int_option(hub, NANOSTATE_OPT_MAX_FRAME, bytes),
               QStringLiteral("max frame %1").arg(bytes)))
        return false;
    frameLimit = bytes;
    return true;
}

bool HubEngine::setHeartbeatMs(int ms)
{
    return check(nanostate_hub_set_int_option(hub, NANOSTATE_OPT_HEARTBEAT_MS, ms),
                 QStringLiteral("heartbeat %1 ms").arg(ms));
}

bool HubEngine::setBatch(bool on)
{
    return check(nanostate_hub_set_int_option(hub, NANOSTATE_OPT_BATCH, on ? 1 : 0),
                 QStringLiteral("batch %1").arg(on ? 1 : 0));
}

bool HubEngine::setStatsMs(int ms)
{
    return check(nanostate_hub_set_int_option(hub, NANOSTATE_OPT_STATS_MS, ms),
                 QStringLiteral("stats period %1 ms").arg(ms));
}

bool HubEngine::setStateFile(const QString &path)
{
    return check(nanostate_hub_set_string_option(hub, NANOSTATE_OPT_STATE_FILE,
                                                 path.toLocal8Bit().constData()),
                 QStringLiteral("state file %1").arg(path));
}

bool HubEngine::load()
{
    const bool ok = check(nanostate_hub_load(hub), QStringLiteral("cannot load the state file"));
    afterCall();
    return ok;
}

bool HubEngine::save()
{
    return check(nanostate_hub_save(hub), QStringLiteral("cannot save the state file"));
}

bool HubEngine::bind(const QString &url)
{
    return check(nanostate_hub_bind(hub, url.toUtf8().constData()),
                 QStringLiteral("cannot bind %1").arg(url));
}

void HubEngine::start()
{
    if (!hub || notifier)
        return;
    notifier = new QSocketNotifier(nanostate_hub_fd(hub), QSocketNotifier::Read, this);
    connect(notifier, &QSocketNotifier::activated, this, &HubEngine::dispatch);
    dispatch();
}

void HubEngine::dispatch()
{
    nanostate_hub_dispatch(hub);
    afterCall();
}

void HubEngine::afterCall()
{
    if (notifier) {
        const int ms = nanostate_hub_timeout(hub);
        if (ms < 0)
            timer.stop();
        else
            timer.start(ms);
    }
    if (!logLines.isEmpty()) {
        const auto lines = std::move(logLines);
        logLines.clear();
        for (const auto &line : lines)
            emit logged(line.first, line.second);
    }
    if (!changes.isEmpty()) {
        const QVector<HubState> batch = std::move(changes);
        changes.clear();
        for (const HubState &st : batch)
            emit stateChanged(st);
    }
}

void HubEngine::onOutput(void *user, const nanostate_hub_output *out)
{
    auto *self = static_cast<HubEngine *>(user);
    // The frame is borrowed for the callback only: copy it once; every
    // client's send shares this one copy.
    const QByteArray frame(static_cast<const char *>(out->frame), int(out->size));
    emit self->output(frame, out->to, out->except);
}

void HubEngine::onChange(void *user, const nanostate_hub_state *state)
{
    auto *self = static_cast<HubEngine *>(user);
    // Copying values nobody looks at would double the cost of big ones.
    if (self->isSignalConnected(self->stateChangedSignal))
        self->changes.append(toHubState(state));
}

void HubEngine::onLog(void *user, int level, const char *message)
{
    static_cast<HubEngine *>(user)->logLines.append({level, QString::fromUtf8(message)});
}

quint64 HubEngine::addPeer()
{
    uint64_t id = 0;
    if (!check(nanostate_hub_peer_add(hub, &id), QStringLiteral("cannot add a peer")))
        return 0;
    return id;
}

void HubEngine::removePeer(quint64 peer)
{
    nanostate_hub_peer_remove(hub, peer);
}

int HubEngine::input(quint64 peer, const QByteArray &frame)
{
    const int rc = nanostate_hub_peer_input(hub, peer, frame.constData(), size_t(frame.size()));
    afterCall();
    return rc;
}

void HubEngine::pausePeer(quint64 peer)
{
    nanostate_hub_peer_pause(hub, peer);
}

void HubEngine::resumePeer(quint64 peer)
{
    nanostate_hub_peer_resume(hub, peer);
    afterCall();
}

QString HubEngine::peerIdentity(quint64 peer) const
{
    const char *id = nanostate_hub_peer_identity(hub, peer);
    return id ? QString::fromUtf8(id) : QString();
}

int HubEngine::stateCount() const
{
    return int(nanostate_hub_count(hub));
}

QVector<HubState> HubEngine::states() const
{
    QVector<HubState> all;
    all.reserve(stateCount());
    nanostate_hub_foreach(
        hub,
        [](void *user, const nanostate_hub_state *s) {
            static_cast<QVector<HubState> *>(user)->append(toHubState(s));
        },
        &all);
    return all;
}

bool HubEngine::state(const QString &name, HubState *out) const
{
    nanostate_hub_state s;
    if (nanostate_hub_get(hub, name.toUtf8().constData(), &s) != 0)
        return false;
    *out = toHubState(&s);
    return true;
}

bool HubEngine::setState(const QString &name, const QByteArray &packed)
{
    const bool ok = check(nanostate_hub_set_packed(hub, name.toUtf8().constData(), packed.constData(),
                                                   size_t(packed.size())),
                          QStringLiteral("cannot set %1").arg(name));
    afterCall();
    return ok;
}

bool HubEngine::removeState(const QString &name)
{
    const bool ok = check(nanostate_hub_remove(hub, name.toUtf8().constData()),
                          QStringLiteral("cannot remove %1").arg(name));
    afterCall();
    return ok;
}

quint64 HubEngine::stat(int which) const
{
    return nanostate_hub_stat(hub, which);
}

qint64 HubEngine::nanomsgConnections() const
{
    nanostate_hub_state s;
    uint64_t n = 0;
    if (nanostate_hub_get(hub, "$hub/clients/nanomsg", &s) != 0
        || nanostate_value_get_uint(&s.value, &n) != 0)
        return -1;
    return qint64(n);
}
