// SPDX-License-Identifier: MIT
#ifndef HUBRUNNER_H
#define HUBRUNNER_H

#include <QtCore/QProcess>
#include <QtCore/QStringList>

// A nanostate-hubws process on free ports, for one measurement.
class HubRunner
{
public:
    ~HubRunner() { stop(); }
    bool start(const QString &program, const QStringList &extra, QString *why);
    void stop();
    quint16 wsPort() const { return port; }
    QString nanomsgUrl() const { return nnUrl; }
    qint64 pid() const { return process.processId(); }
    qint64 residentKiB() const;  // VmRSS
    double cpuSeconds() const;   // user + system so far

private:
    QProcess process;
    quint16 port = 0;
    QString nnUrl;
};

#endif // HUBRUNNER_H
