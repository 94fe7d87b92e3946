// SPDX-License-Identifier: MIT
#include "screenshottaker.h"

#include <QtCore/QAbstractItemModel>
#include <QtGui/QPixmap>
#include <QtWidgets/QWidget>

ScreenshotTaker::ScreenshotTaker(QWidget *window, const QAbstractItemModel *rows, const QString &file,
                                 int minRows, int timeoutMs, QObject *parent)
    : QObject(parent), window(window), rows(rows), file(file), minRows(minRows), timeoutMs(timeoutMs)
{
    clock.start();
    // Polled rather than driven by rowsInserted: the window must also have
    // been shown and laid out, which the first ticks of the loop do.
    poll.setInterval(100);
    connect(&poll, &QTimer::timeout, this, &ScreenshotTaker::check);
    poll.start();
}

void ScreenshotTaker::check()
{
    if (done || !window)
        return;
    const bool ready = window->isVisible() && rows->rowCount() >= minRows;
    if (ready || clock.elapsed() >= timeoutMs)
        take();
}

void ScreenshotTaker::take()
{
    done = true;
    poll.stop();
    const bool ok = window->grab().save(file, "PNG");
    emit taken(file, rows->rowCount(), ok);
}
