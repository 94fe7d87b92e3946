// SPDX-License-Identifier: MIT
#ifndef SCREENSHOTTAKER_H
#define SCREENSHOTTAKER_H

#include <QtCore/QElapsedTimer>
#include <QtCore/QObject>
#include <QtCore/QPointer>
#include <QtCore/QTimer>

class QAbstractItemModel;
class QWidget;

// Saves a picture of a window once a model shows enough rows, or when the
// time is up: the --screenshot option of the monitor, for tests that look
// at the window without a display.
class ScreenshotTaker : public QObject
{
    Q_OBJECT
public:
    ScreenshotTaker(QWidget *window, const QAbstractItemModel *rows, const QString &file,
                    int minRows, int timeoutMs, QObject *parent = nullptr);

    bool isDone() const { return done; }

Q_SIGNALS:
    // After the file was written (ok) or not; rows is the count then shown.
    void taken(const QString &file, int rows, bool ok);

private:
    void check();
    void take();

    QPointer<QWidget> window;
    const QAbstractItemModel *rows;
    QString file;
    int minRows;
    int timeoutMs;
    bool done = false;
    QTimer poll;
    QElapsedTimer clock;
};

#endif // SCREENSHOTTAKER_H
