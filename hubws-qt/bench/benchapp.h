// SPDX-License-Identifier: MIT
#ifndef BENCHAPP_H
#define BENCHAPP_H

#include <nanostate/nanostate.h>

#include <QtCore/QObject>
#include <QtCore/QTimer>

class QSocketNotifier;

// A plain libnanostate App on the Qt event loop, with no QVariant in the
// way: values are set and reported as packed bytes.
class BenchApp : public QObject
{
    Q_OBJECT
public:
    BenchApp(const QString &url, const QString &identity, QObject *parent = nullptr);
    ~BenchApp() override;

    bool isSynced() const { return app && nanostate_app_is_synced(app); }
    bool setPacked(const QByteArray &name, const QByteArray &packed);

Q_SIGNALS:
    // Another App's change arrived.
    void updated(const QByteArray &name, qint64 size);

private:
    static void onUpdate(void *user, const nanostate_update *u);
    void dispatch();

    nanostate_app *app = nullptr;
    QSocketNotifier *notifier = nullptr;
    QTimer timer;
};

#endif // BENCHAPP_H
