// SPDX-License-Identifier: MIT
#ifndef STATESFILTER_H
#define STATESFILTER_H

#include <QtCore/QSortFilterProxyModel>

// The rows of a StatesModel whose name matches the filter box, sorted by
// the model's SortRole (numbers as numbers).
//
// The pattern is read like this:
//   empty                  every state
//   with * ? or [          a glob on the whole name, case-sensitive, as the
//                          nanostate tool's (GlobPattern): "robot/*" covers
//                          "robot/arm/angle", "*/angle" any state named angle
//   anything else          the names containing it, case-insensitive
class StatesFilter : public QSortFilterProxyModel
{
    Q_OBJECT
    Q_PROPERTY(QString pattern READ pattern WRITE setPattern NOTIFY patternChanged)
public:
    explicit StatesFilter(QObject *parent = nullptr);

    QString pattern() const { return text; }
    bool isGlob() const; // the pattern is read as a glob

public Q_SLOTS:
    void setPattern(const QString &pattern);

Q_SIGNALS:
    void patternChanged(const QString &pattern);

private:
    QString text;
};

#endif // STATESFILTER_H
