// SPDX-License-Identifier: MIT
#ifndef UNIXSIGNALS_H
#define UNIXSIGNALS_H

#include <QtCore/QObject>

class QSocketNotifier;

// SIGINT and SIGTERM as a Qt signal, through a self-pipe: the handler only
// writes a byte, the event loop does the rest. One instance per process.
class UnixSignals : public QObject
{
    Q_OBJECT
public:
    explicit UnixSignals(QObject *parent = nullptr);
    ~UnixSignals() override;

Q_SIGNALS:
    void terminationRequested(int signal);

private:
    static void handler(int signal);
    void onReadable();

    QSocketNotifier *notifier = nullptr;
};

#endif // UNIXSIGNALS_H
