// SPDX-License-Identifier: MIT
#ifndef SCREENSHOT_H
#define SCREENSHOT_H

#include <QtCore/QObject>
#include <QtCore/QSharedPointer>
#include <QtCore/QString>
#include <QtCore/QStringList>

class QQuickItemGrabResult;
class QQuickWindow;

// Saves a PNG of the dashboard once it shows live data, prints the values it
// displayed, and quits: the dashboard's --screenshot option, for tests and docs.
//
// "Live" is the root item's `live` property (synced, and a few updates
// since); the text it shows, from the root's `displayedValues` property.
class Screenshot : public QObject
{
    Q_OBJECT

public:
    Screenshot(QQuickWindow *window, const QString &fileName, QObject *parent = nullptr);
    bool isSaved() const { return m_saved; }

private Q_SLOTS:
    void takeWhenLive(); // connected to the root's liveChanged() signal

private:
    void save();
    void fail(const QString &message);

    QQuickWindow *m_window;
    QSharedPointer<QQuickItemGrabResult> m_grab;
    QString m_fileName;
    QStringList m_values; // what the window showed when grabbed
    bool m_taken = false; // grabbing, or done
    bool m_saved = false;
};

#endif // SCREENSHOT_H
