// SPDX-License-Identifier: MIT
#ifndef HUBWSPROCESS_H
#define HUBWSPROCESS_H

#include <QtCore/QObject>
#include <QtCore/QProcess>
#include <QtCore/QStringList>
#include <QtCore/QUrl>

// A `nanostate-hubws --headless` process of the build under test, on ports
// of its own (found by binding port 0), ready once it says it listens,
// stopped by PID. Its stderr (it runs with -v) and stdout are collected as
// they come.
class HubWsProcess : public QObject
{
    Q_OBJECT
public:
    static constexpr int heartbeatMs = 100;

    explicit HubWsProcess(QObject *parent = nullptr);
    ~HubWsProcess() override;

    // Starts the hub with -b, --ws-port, --heartbeat, -v, --stats=0, then
    // `extra` (later options win). False, with the reason, if it does not
    // say it listens within 5 s.
    bool start(const QStringList &extra = QStringList(), QString *why = nullptr);
    // Runs the hub with these arguments only and returns its exit code (for
    // usage errors); -1 if it does not end within 5 s.
    static int run(const QStringList &arguments, QByteArray *output = nullptr);
    void stop(); // SIGTERM, then SIGKILL after 5 s
    bool isRunning() const { return process.state() != QProcess::NotRunning; }
    int exitCode() const { return process.exitCode(); }

    qint64 pid() const { return process.processId(); }
    quint16 wsPort() const { return port; }
    QString nanomsgUrl() const { return nnUrl; }
    QUrl wsUrl(const QString &scheme = QStringLiteral("ws"), const QString &query = QString()) const;
    QByteArray log() const { return errors; }
    bool waitForLog(const QByteArray &text, int timeoutMs = 5000);
    // stdout: the stats line, with --stats=MS among the extra options.
    QByteArray output() const { return out; }
    qint64 residentKiB() const; // VmRSS from /proc/PID/status
    // Built with AddressSanitizer, whose quarantine keeps freed memory: RSS
    // figures mean nothing then.
    bool isSanitized() const;

    // n distinct ports the system just handed out (and we released).
    static QList<quint16> freePorts(int n);

private:
    QProcess process;
    quint16 port = 0;
    QString nnUrl;
    QByteArray errors;
    QByteArray out;
};

#endif // HUBWSPROCESS_H
