// SPDX-License-Identifier: MIT
#include "logview.h"

#include <QtCore/QDateTime>
#include <QtGui/QFontDatabase>
#include <QtWidgets/QScrollBar>

LogView::LogView(QWidget *parent) : QPlainTextEdit(parent)
{
    setReadOnly(true);
    setMaximumBlockCount(5000);
    setLineWrapMode(QPlainTextEdit::NoWrap);
    setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    setPlaceholderText(tr("Hub log: joins, resyncs, rejected frames, WebSocket clients"));
    timer.setSingleShot(true);
    timer.setInterval(100);
    connect(&timer, &QTimer::timeout, this, &LogView::flush);
}

void LogView::appendLine(int level, const QString &message)
{
    if (pending.size() >= maxBatch) {
        pending.removeFirst();
        ++skipped;
    }
    pending.append(Line{QDateTime::currentMSecsSinceEpoch(), level, message});
    if (!timer.isActive())
        timer.start();
}

void LogView::flush()
{
    timer.stop();
    if (pending.isEmpty())
        return;
    // Follow the end only if the user has not scrolled up to read.
    QScrollBar *bar = verticalScrollBar();
    const bool atEnd = bar->value() == bar->maximum();
    if (skipped > skippedShown) {
        appendHtml(QStringLiteral("<span style=\"color:#888\">(%1 lines skipped)</span>")
                       .arg(skipped - skippedShown));
        skippedShown = skipped;
    }
    for (const Line &line : qAsConst(pending)) {
        const QString time = QDateTime::fromMSecsSinceEpoch(line.ms).toString(QStringLiteral("HH:mm:ss.zzz"));
        const QString text = line.message.toHtmlEscaped();
        if (line.level > 0)
            appendHtml(QStringLiteral("<span style=\"color:#888\">%1</span>&nbsp;&nbsp;"
                                      "<span style=\"color:#c0392b\">warning: %2</span>")
                           .arg(time, text));
        else
            appendHtml(QStringLiteral("<span style=\"color:#888\">%1</span>&nbsp;&nbsp;%2").arg(time, text));
    }
    pending.clear();
    if (atEnd)
        bar->setValue(bar->maximum());
}
