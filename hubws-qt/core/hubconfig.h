// SPDX-License-Identifier: MIT
#ifndef HUBCONFIG_H
#define HUBCONFIG_H

#include <QtCore/QString>
#include <QtCore/QStringList>

// Every setting of nanostate-hubws with its default. Filled from a config
// file (`key = value`, keys named like the long options) and then from the
// command line, which wins. nanostate-hubws.conf.example lists them all.
struct HubConfig
{
    // --- the hub, as nanostate-hub ---
    QStringList binds;                  // nanomsg endpoints; empty: NANOSTATE_DEFAULT_URL
    QString stateFile;                  // empty: no persistence
    int maxFrame = 16 * 1024 * 1024;    // bytes, both transports
    int heartbeatMs = 1000;
    int statsMs = 1000;                 // $hub/ figures and the stats line; 0: off
    bool verbose = false;
    bool noBatch = false; // never pack frames into BATCH messages over nanomsg

    // --- WebSocket and HTTP ---
    QString wsHost = QStringLiteral("127.0.0.1");
    int wsPort = 15001;                 // 0: any free port (printed at start)
    QStringList allowOrigins;           // empty: the hub's own page origins
    QStringList tokens;                 // TOKEN or TOKEN:PREFIX,...; empty: no token asked
    bool readOnlyWs = false;            // WebSocket clients write nothing
    QString certFile;                   // with keyFile: TLS (wss://, https://)
    QString keyFile;
    int maxClients = 1024;              // open connections, WebSocket and HTTP
    qint64 maxQueue = 1024 * 1024;      // per-client send backlog before conflating
    int stallTimeoutMs = 10000;         // paused, or taking nothing, that long: 1013
    int headTimeoutMs = 5000;           // to send a whole HTTP request head
    QString webRoot;                    // empty: defaultWebRoot()

    // --- the program ---
    bool headless = false;
    QString configFile;

    enum ParseResult { Parsed, HelpRequested, ParseFailed };
    // Parses the arguments after the program name: first the config file
    // named by -c/--config (if any), then every option. On ParseFailed,
    // *error says why (one line, for stderr).
    static ParseResult parse(const QStringList &arguments, HubConfig *config, QString *error);
    // Reads `key = value` lines into config. False with *error (FILE:LINE: why).
    static bool readFile(const QString &path, HubConfig *config, QString *error);

    // The web root when none is given: <executable's dir>/../share/nanostate/web.
    static QString defaultWebRoot();
    QString effectiveWebRoot() const { return webRoot.isEmpty() ? defaultWebRoot() : webRoot; }
    QStringList effectiveBinds() const;
    bool isTls() const { return !certFile.isEmpty(); }

    static QString usage(); // the synopsis
    static QString help();  // the manual page printed by --help
};

#endif // HUBCONFIG_H
