// SPDX-License-Identifier: MIT
#include "hubprocess.h"

#include <QtCore/QCoreApplication>
#include <QtCore/QDeadlineTimer>
#include <QtCore/QDir>
#include <QtCore/QTemporaryDir>
#include <QtNetwork/QHostAddress>
#include <QtNetwork/QTcpServer>

#include <csignal>
#include <sys/types.h>

namespace {
const int startTimeoutMs = 5000;
const int stopTimeoutMs = 5000;

QString scratchFolder()
{
    const QString fromRunner = qEnvironmentVariable("NANOSTATE_TEST_TMP");
    if (!fromRunner.isEmpty())
        return fromRunner;
    // Short path: ipc:// socket paths are limited to about 100 bytes.
    static QTemporaryDir own(QDir::tempPath() + QStringLiteral("/nsqt-XXXXXX"));
    return own.path();
}
} // namespace

QString HubProcess::toolPath(const QString &tool)
{
    QString bin = qEnvironmentVariable("NANOSTATE_BIN");
    if (bin.isEmpty())
        bin = QCoreApplication::applicationDirPath() + QStringLiteral("/../../bin");
    return QDir(bin).absoluteFilePath(tool);
}

QString HubProcess::helperPath(const QString &name)
{
    return QCoreApplication::applicationDirPath() + QStringLiteral("/helpers/") + name;
}

QString HubProcess::freeTcpUrl()
{
    QTcpServer server;
    if (!server.listen(QHostAddress::LocalHost, 0))
        return QString();
    return QStringLiteral("tcp://127.0.0.1:%1").arg(server.serverPort());
}

QString HubProcess::ipcUrl(const QString &name)
{
    return QStringLiteral("ipc://%1/%2.sock").arg(scratchFolder(), name);
}

bool HubProcess::start(const QString &url, QString *why)
{
    stop();
    address = url;
    output.clear();
    process.setProgram(toolPath(QStringLiteral("nanostate-hub")));
    process.setArguments({QStringLiteral("-b"), url, QStringLiteral("--heartbeat"),
                          QString::number(heartbeatMs), QStringLiteral("-v")});
    process.setReadChannel(QProcess::StandardError);
    process.setStandardInputFile(QProcess::nullDevice());
    process.setStandardOutputFile(QProcess::nullDevice());
    process.start();
    const QDeadlineTimer deadline(startTimeoutMs);
    while (!output.contains("listening on")) {
        if (process.state() == QProcess::NotRunning || deadline.hasExpired()) {
            if (why)
                *why = QStringLiteral("%1 -b %2 did not start: %3 %4")
                               .arg(process.program(), url, process.errorString(),
                                    QString::fromLocal8Bit(output));
            stop();
            return false;
        }
        process.waitForReadyRead(int(qMax<qint64>(1, deadline.remainingTime())));
        output += process.readAllStandardError();
    }
    return true;
}

void HubProcess::kill()
{
    if (!isRunning())
        return;
    ::kill(pid_t(process.processId()), SIGKILL);
    process.waitForFinished(stopTimeoutMs);
}

void HubProcess::stop()
{
    if (!isRunning())
        return;
    ::kill(pid_t(process.processId()), SIGTERM);
    if (!process.waitForFinished(stopTimeoutMs))
        kill();
}

QByteArray HubProcess::log()
{
    output += process.readAllStandardError();
    return output;
}
