// SPDX-License-Identifier: MIT
#include "benchapp.h"

#include <QtCore/QSocketNotifier>

BenchApp::BenchApp(const QString &url, const QString &identity, QObject *parent) : QObject(parent)
{
    timer.setSingleShot(true);
    connect(&timer, &QTimer::timeout, this, &BenchApp::dispatch);
    if (nanostate_app_open(&app, identity.toUtf8().constData(), url.toUtf8().constData()) != 0) {
        app = nullptr;
        return;
    }
    nanostate_app_on_update(app, &BenchApp::onUpdate, this, 0);
    notifier = new QSocketNotifier(nanostate_app_fd(app), QSocketNotifier::Read, this);
    connect(notifier, &QSocketNotifier::activated, this, &BenchApp::dispatch);
    dispatch();
}

BenchApp::~BenchApp()
{
    delete notifier;
    nanostate_app_close(app);
}

bool BenchApp::setPacked(const QByteArray &name, const QByteArray &packed)
{
    if (!app || nanostate_app_set_packed(app, name.constData(), packed.constData(), size_t(packed.size())) != 0)
        return false;
    dispatch(); // sends it now
    return true;
}

void BenchApp::onUpdate(void *user, const nanostate_update *u)
{
    if (!u->local)
        emit static_cast<BenchApp *>(user)->updated(QByteArray(u->name, int(u->name_len)),
                                                    qint64(u->value.size));
}

void BenchApp::dispatch()
{
    if (!app)
        return;
    nanostate_app_dispatch(app);
    const int ms = nanostate_app_timeout(app);
    if (ms >= 0)
        timer.start(ms);
}
