// SPDX-License-Identifier: MIT
#include "screenshot.h"

#include <QtCore/QCoreApplication>
#include <QtCore/QTextStream>
#include <QtGui/QImage>
#include <QtQuick/QQuickItem>
#include <QtQuick/QQuickItemGrabResult>
#include <QtQuick/QQuickWindow>

Screenshot::Screenshot(QQuickWindow *window, const QString &fileName, QObject *parent)
    : QObject(parent), m_window(window), m_fileName(fileName)
{
    // A property declared in QML has a notify signal like any other; the
    // string-based connect is the way to reach it from C++.
    connect(window, SIGNAL(liveChanged()), this, SLOT(takeWhenLive()));
}

void Screenshot::takeWhenLive()
{
    if (m_taken || !m_window->property("live").toBool())
        return;
    m_taken = true;
    m_values = m_window->property("displayedValues").toStringList();
    // QQuickWindow::grabWindow() gives a null image with the software backend
    // on the offscreen platform (Qt 5.15); grabbing the root item renders it
    // afresh with any backend.
    m_grab = m_window->contentItem()->grabToImage();
    if (!m_grab) {
        fail(QStringLiteral("cannot grab the window"));
        return;
    }
    connect(m_grab.data(), &QQuickItemGrabResult::ready, this, &Screenshot::save);
}

void Screenshot::save()
{
    QTextStream out(stdout);
    for (const QString &line : qAsConst(m_values))
        out << line << '\n';
    out.flush();
    if (!m_grab->image().save(m_fileName, "PNG")) {
        fail(QStringLiteral("cannot save the screenshot to %1").arg(m_fileName));
        return;
    }
    m_saved = true;
    QCoreApplication::quit();
}

void Screenshot::fail(const QString &message)
{
    QTextStream(stderr) << "nanostate-dashboard: " << message << Qt::endl;
    QCoreApplication::exit(1);
}
