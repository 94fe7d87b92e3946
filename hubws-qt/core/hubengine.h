// SPDX-License-Identifier: MIT
#ifndef HUBENGINE_H
#define HUBENGINE_H

#include "hubstate.h"

#include <nanostate/nanostate.h>

#include <QtCore/QByteArray>
#include <QtCore/QMetaMethod>
#include <QtCore/QObject>
#include <QtCore/QString>
#include <QtCore/QTimer>
#include <QtCore/QVector>

class QSocketNotifier;

// The hub engine of libnanostate (nanostate_hub) as a QObject: the table,
// sequence numbers, snapshots, heartbeats, the state file and the nanomsg
// endpoints it serves itself, driven by the Qt event loop (a QSocketNotifier
// on its fd and a single-shot timer armed with nanostate_hub_timeout()).
// Peers of other transports (WebSocket clients) are fed in with input() and
// served through the output() signal.
//
// Everything runs in the thread of the object. stateChanged() and logged()
// are emitted after the engine call that caused them returned, so their
// slots may call back into the engine; output() is emitted from inside the
// engine and its slots must only send (and may call pausePeer()).
class HubEngine : public QObject
{
    Q_OBJECT
public:
    explicit HubEngine(QObject *parent = nullptr);
    ~HubEngine() override;

    bool isValid() const { return hub != nullptr; }
    QString errorString() const { return error; }

    // --- set up, before start() ---
    bool setMaxFrame(int bytes);
    int maxFrame() const { return frameLimit; }
    bool setHeartbeatMs(int ms);
    bool setStatsMs(int ms); // 0: no $hub/ figures
    bool setBatch(bool on);  // BATCH messages over nanomsg (default on)
    bool setStateFile(const QString &path);
    bool load(); // the state file, if it exists; false with errorString()
    bool bind(const QString &url);
    void start();
    bool save(); // the state file, now

    // --- peers of other transports ---
    quint64 addPeer(); // 0 on failure
    void removePeer(quint64 peer);
    // Feeds one frame a peer sent; 0 or the NANOSTATE_E* reason it was rejected.
    int input(quint64 peer, const QByteArray &frame);
    // While paused, the front end sends the peer no broadcasts (it checks its
    // own flag); on resume the peer gets a heartbeat and pulls what it missed.
    void pausePeer(quint64 peer);
    void resumePeer(quint64 peer);
    QString peerIdentity(quint64 peer) const;

    // --- the table, for monitors ---
    int stateCount() const;
    QVector<HubState> states() const;
    bool state(const QString &name, HubState *out) const;
    // As the hub itself (sender "$hub"); names may start with '$'.
    bool setState(const QString &name, const QByteArray &packed);
    bool removeState(const QString &name);
    quint64 stat(int which) const; // a NANOSTATE_HUB_STAT_*
    quint64 epoch() const { return stat(NANOSTATE_HUB_STAT_EPOCH); }
    quint64 seq() const { return stat(NANOSTATE_HUB_STAT_SEQ); }
    // nanomsg connections, as the engine's last $hub/clients/nanomsg figure
    // says; -1 while figures are off (setStatsMs(0)) or not published yet.
    qint64 nanomsgConnections() const;

    nanostate_hub *handle() const { return hub; }

Q_SIGNALS:
    // A frame for peers of other transports: for peer `to` alone, or, when
    // `to` is 0, for every peer except `except` and the paused ones.
    void output(const QByteArray &frame, quint64 to, quint64 except);
    void stateChanged(const HubState &state);
    void logged(int level, const QString &message);

private:
    static void onOutput(void *user, const nanostate_hub_output *out);
    static void onChange(void *user, const nanostate_hub_state *state);
    static void onLog(void *user, int level, const char *message);
    void dispatch();
    void afterCall(); // re-arms the timer and emits what the call collected
    bool check(int rc, const QString &context);

    nanostate_hub *hub = nullptr;
    QSocketNotifier *notifier = nullptr;
    QTimer timer;
    QString error;
    int frameLimit = NANOSTATE_DEFAULT_MAX_FRAME;
    QMetaMethod stateChangedSignal;
    QVector<HubState> changes;
    QVector<QPair<int, QString>> logLines;
};

#endif // HUBENGINE_H
