// SPDX-License-Identifier: MIT
#ifndef LOGVIEW_H
#define LOGVIEW_H

#include <QtCore/QTimer>
#include <QtCore/QVector>
#include <QtWidgets/QPlainTextEdit>

// The hub's log lines (HubWs::logged: engine and server), newest at the
// bottom, at most maximumBlockCount() (5000) kept. Lines are appended in
// batches every 100 ms, and at most maxBatch per batch: a flood of
// rejected frames must not freeze the window (the dropped lines are counted).
class LogView : public QPlainTextEdit
{
    Q_OBJECT
public:
    static constexpr int maxBatch = 200;

    explicit LogView(QWidget *parent = nullptr);

    int skippedLines() const { return skipped; }

public Q_SLOTS:
    // level 0 info, 1 warning.
    void appendLine(int level, const QString &message);
    void flush();

private:
    struct Line
    {
        qint64 ms;
        int level;
        QString message;
    };
    QVector<Line> pending;
    int skipped = 0;
    int skippedShown = 0;
    QTimer timer;
};

#endif // LOGVIEW_H
