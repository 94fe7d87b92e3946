// SPDX-License-Identifier: MIT
#include "hubwsprocess.h"
#include "hubprocess.h"

#include <QtCore/QDeadlineTimer>
#include <QtCore/QFile>
#include <QtNetwork/QTcpServer>
#include <QtTest/QSignalSpy>

#include <csignal>
#include <sys/types.h>

HubWsProcess::HubWsProcess(QObject *parent) : QObject(parent)
{
    connect(&process, &QProcess::readyReadStandardError, this,
            [this] { errors += process.readAllStandardError(); });
    connect(&process, &QProcess::readyReadStandardOutput, this,
            [this] { out += process.readAllStandardOutput(); });
}

HubWsProcess::~HubWsProcess()
{
    stop();
}

QList<quint16> HubWsProcess::freePorts(int n)
{
    // All held at once: released one by one, the same port could come twice.
    QList<QTcpServer *> servers;
    QList<quint16> ports;
    for (int i = 0; i < n; ++i) {
        auto *server = new QTcpServer;
        servers.append(server);
        ports.append(server->listen(QHostAddress::LocalHost, 0) ? server->serverPort() : 0);
    }
    qDeleteAll(servers);
    return ports;
}

bool HubWsProcess::start(const QStringList &extra, QString *why)
{
    stop();
    errors.clear();
    out.clear();
    const QList<quint16> ports = freePorts(2);
    port = ports.at(0);
    nnUrl = QStringLiteral("tcp://127.0.0.1:%1").arg(ports.at(1));
    process.setProgram(HubProcess::toolPath(QStringLiteral("nanostate-hubws")));
    process.setArguments(QStringList{QStringLiteral("--headless"), QStringLiteral("-b"), nnUrl,
                                     QStringLiteral("--ws-port"), QString::number(port),
                                     QStringLiteral("--heartbeat"), QString::number(heartbeatMs),
                                     QStringLiteral("-v"), QStringLiteral("--stats=0")}
                         + extra);
    process.setStandardInputFile(QProcess::nullDevice());
    process.start();
    if (!waitForLog("(WebSocket)", 5000)) {
        if (why)
            *why = QStringLiteral("%1 %2 did not start: %3 %4")
                       .arg(process.program(), process.arguments().join(QLatin1Char(' ')),
                            process.errorString(), QString::fromLocal8Bit(errors));
        stop();
        return false;
    }
    return true;
}

int HubWsProcess::run(const QStringList &arguments, QByteArray *output)
{
    QProcess p;
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.start(HubProcess::toolPath(QStringLiteral("nanostate-hubws")), arguments);
    if (!p.waitForFinished(5000)) {
        p.kill();
        p.waitForFinished();
        return -1;
    }
    if (output)
        *output = p.readAll();
    return p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
}

bool HubWsProcess::waitForLog(const QByteArray &text, int timeoutMs)
{
    const QDeadlineTimer deadline(timeoutMs);
    while (!errors.contains(text)) {
        if (process.state() == QProcess::NotRunning || deadline.hasExpired())
            return false;
        QSignalSpy spy(&process, &QProcess::readyReadStandardError);
        spy.wait(int(qMax<qint64>(1, qMin<qint64>(deadline.remainingTime(), 100))));
        errors += process.readAllStandardError();
    }
    return true;
}

void HubWsProcess::stop()
{
    if (process.state() == QProcess::NotRunning)
        return;
    ::kill(pid_t(process.processId()), SIGTERM);
    if (!process.waitForFinished(5000)) {
        ::kill(pid_t(process.processId()), SIGKILL);
        process.waitForFinished(5000);
    }
    errors += process.readAllStandardError();
}

QUrl HubWsProcess::wsUrl(const QString &scheme, const QString &query) const
{
    QUrl url;
    url.setScheme(scheme);
    url.setHost(QStringLiteral("127.0.0.1"));
    url.setPort(port);
    url.setPath(QStringLiteral("/ws"));
    if (!query.isEmpty())
        url.setQuery(query);
    return url;
}

qint64 HubWsProcess::residentKiB() const
{
    QFile f(QStringLiteral("/proc/%1/status").arg(pid()));
    if (!f.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray &line : f.readAll().split('\n')) {
        if (line.startsWith("VmRSS:"))
            return line.mid(6).trimmed().split(' ').value(0).toLongLong();
    }
    return -1;
}

bool HubWsProcess::isSanitized() const
{
    QFile f(QStringLiteral("/proc/%1/maps").arg(pid()));
    return f.open(QIODevice::ReadOnly) && f.readAll().contains("libasan");
}
