// SPDX-License-Identifier: MIT
#include "hubws.h"
#include "hubengine.h"
#include "tcplistener.h"
#include "wsserver.h"

HubWs::HubWs(const HubConfig &config, QObject *parent)
    : QObject(parent), settings(config), hubEngine(new HubEngine(this))
{
    connect(hubEngine, &HubEngine::logged, this, &HubWs::logged);
}

HubWs::~HubWs()
{
    // Clients are peers of the engine: they go first.
    delete wsServer;
    wsServer = nullptr;
}

bool HubWs::start(QString *error)
{
    HubEngine &e = *hubEngine;
    if (!e.isValid() || !e.setMaxFrame(settings.maxFrame) || !e.setHeartbeatMs(settings.heartbeatMs)
        || !e.setStatsMs(settings.statsMs) || !e.setBatch(!settings.noBatch)) {
        *error = e.errorString();
        return false;
    }
    if (!settings.stateFile.isEmpty()
        && (!e.setStateFile(settings.stateFile) || !e.load())) {
        *error = QStringLiteral("%1 (%2)").arg(e.errorString(), settings.stateFile);
        return false;
    }

    WsServer::Settings ws;
    ws.host = settings.wsHost;
    ws.port = quint16(settings.wsPort);
    if (settings.isTls()
        && !TcpListener::loadTls(settings.certFile, settings.keyFile, &ws.tls, error))
        return false;
    ws.maxClients = settings.maxClients;
    ws.headTimeoutMs = settings.headTimeoutMs;
    ws.webRoot = settings.effectiveWebRoot();
    ws.allowOrigins = settings.allowOrigins;
    ws.tokens = settings.tokens;
    ws.readOnly = settings.readOnlyWs;
    ws.limits.maxFrame = settings.maxFrame;
    ws.limits.maxQueue = settings.maxQueue;
    ws.limits.stallTimeoutMs = settings.stallTimeoutMs;
    wsServer = new WsServer(hubEngine, ws, this);
    connect(wsServer, &WsServer::logged, this, &HubWs::logged);

    for (const QString &url : settings.effectiveBinds()) {
        if (!e.bind(url)) {
            *error = e.errorString();
            return false;
        }
    }
    if (!wsServer->listen(error))
        return false;
    e.start();
    return true;
}

void HubWs::stop()
{
    if (wsServer)
        wsServer->close();
    if (!settings.stateFile.isEmpty())
        hubEngine->save();
}
