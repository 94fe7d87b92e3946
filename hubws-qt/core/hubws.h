// SPDX-License-Identifier: MIT
#ifndef HUBWS_H
#define HUBWS_H

#include "hubconfig.h"

#include <QtCore/QObject>

class HubEngine;
class WsServer;

// The whole hub of nanostate-hubws without any user interface: the engine
// (nanomsg endpoints, table, state file) and the WebSocket/HTTP server,
// set up from a HubConfig. A monitor (headless stats line, or the window to
// come) is a view over engine() and server().
class HubWs : public QObject
{
    Q_OBJECT
public:
    explicit HubWs(const HubConfig &config, QObject *parent = nullptr);
    ~HubWs() override;

    // Loads the state file, binds the nanomsg endpoints, listens for
    // WebSockets and starts serving. False with *error (one line).
    bool start(QString *error);
    // Closes the WebSocket clients and saves the state file.
    void stop();

    const HubConfig &config() const { return settings; }
    HubEngine *engine() const { return hubEngine; }
    WsServer *server() const { return wsServer; }

Q_SIGNALS:
    // Engine and server log lines; level 0 info, 1 warning.
    void logged(int level, const QString &message);

private:
    HubConfig settings;
    HubEngine *hubEngine;
    WsServer *wsServer = nullptr;
};

#endif // HUBWS_H
