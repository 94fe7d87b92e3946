// SPDX-License-Identifier: MIT
#include "hubrunner.h"

#include <QtCore/QDeadlineTimer>
#include <QtCore/QFile>
#include <QtNetwork/QTcpServer>

#include <csignal>
#include <unistd.h>

namespace {
// Two ports at once: released one by one, the same one could come twice.
QPair<quint16, quint16> freePorts()
{
    QTcpServer a, b;
    a.listen(QHostAddress::LocalHost, 0);
    b.listen(QHostAddress::LocalHost, 0);
    return {a.serverPort(), b.serverPort()};
}
} // namespace

bool HubRunner::start(const QString &program, const QStringList &extra, QString *why)
{
    const auto ports = freePorts();
    port = ports.first;
    nnUrl = QStringLiteral("tcp://127.0.0.1:%1").arg(ports.second);
    process.setProgram(program);
    process.setArguments(QStringList{QStringLiteral("--headless"), QStringLiteral("--stats=0"),
                                     QStringLiteral("-b"), nnUrl, QStringLiteral("--ws-port"),
                                     QString::number(port)}
                         + extra);
    process.setStandardOutputFile(QProcess::nullDevice());
    process.setReadChannel(QProcess::StandardError);
    process.start();
    QByteArray err;
    const QDeadlineTimer deadline(5000);
    while (!err.contains("(WebSocket)")) {
        if (process.state() == QProcess::NotRunning || deadline.hasExpired()) {
            *why = QStringLiteral("%1 did not start: %2").arg(program, QString::fromLocal8Bit(err));
            return false;
        }
        process.waitForReadyRead(100);
        err += process.readAllStandardError();
    }
    // From here on stderr is not read: keep the hub quiet (no -v).
    return true;
}

void HubRunner::stop()
{
    if (process.state() == QProcess::NotRunning)
        return;
    ::kill(pid_t(process.processId()), SIGTERM);
    if (!process.waitForFinished(5000)) {
        ::kill(pid_t(process.processId()), SIGKILL);
        process.waitForFinished(5000);
    }
}

qint64 HubRunner::residentKiB() const
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

double HubRunner::cpuSeconds() const
{
    QFile f(QStringLiteral("/proc/%1/stat").arg(pid()));
    if (!f.open(QIODevice::ReadOnly))
        return -1;
    const QByteArray all = f.readAll();
    // Fields after the command name, which is in parentheses.
    const QList<QByteArray> fields = all.mid(all.lastIndexOf(')') + 2).split(' ');
    const double ticks = fields.value(11).toDouble() + fields.value(12).toDouble(); // utime stime
    return ticks / double(::sysconf(_SC_CLK_TCK));
}
