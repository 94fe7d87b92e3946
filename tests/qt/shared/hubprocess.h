// SPDX-License-Identifier: MIT
#ifndef HUBPROCESS_H
#define HUBPROCESS_H

#include <QtCore/QByteArray>
#include <QtCore/QProcess>
#include <QtCore/QString>
#include <QtCore/QStringList>

// A nanostate-hub process of the build under test, for one test: started on
// a URL of the test's own, ready once it says it listens, stopped by PID.
// Never an external hub.
class HubProcess
{
public:
    static constexpr int heartbeatMs = 100;

    HubProcess() = default;
    ~HubProcess() { stop(); }
    HubProcess(const HubProcess &) = delete;
    HubProcess &operator=(const HubProcess &) = delete;

    // $NANOSTATE_BIN/<tool>, else <this executable>/../../bin/<tool>.
    static QString toolPath(const QString &tool);
    // <this executable's folder>/helpers/<name>: helpers the tests run.
    static QString helperPath(const QString &name);
    // tcp://127.0.0.1:<a port the system just handed out and we released>.
    static QString freeTcpUrl();
    // ipc://<dir>/<name>.sock, dir: $NANOSTATE_TEST_TMP or a temporary folder
    // that lives until the test program exits.
    static QString ipcUrl(const QString &name);

    // Starts `nanostate-hub -b url --heartbeat 100 -v` and waits (at most
    // 5 s) for its "listening on" line. False, with the reason in why, if it
    // exits or stays silent.
    bool start(const QString &url, QString *why = nullptr);
    // SIGKILL: the hub vanishes without a word, as in a crash.
    void kill();
    // SIGTERM, then SIGKILL after 5 s. Does nothing if not running.
    void stop();

    bool isRunning() const { return process.state() != QProcess::NotRunning; }
    qint64 pid() const { return process.processId(); }
    QString url() const { return address; }
    // What the hub wrote to stderr (it runs with -v).
    QByteArray log();

private:
    QProcess process;
    QString address;
    QByteArray output;
};

#endif // HUBPROCESS_H
