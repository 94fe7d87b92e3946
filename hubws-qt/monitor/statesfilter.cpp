// SPDX-License-Identifier: MIT
#include "statesfilter.h"
#include "globpattern.h"
#include "statesmodel.h"

StatesFilter::StatesFilter(QObject *parent) : QSortFilterProxyModel(parent)
{
    setFilterKeyColumn(StatesModel::NameColumn);
    setSortRole(StatesModel::SortRole);
    setSortCaseSensitivity(Qt::CaseSensitive);
}

bool StatesFilter::isGlob() const
{
    return GlobPattern::isPattern(text);
}

void StatesFilter::setPattern(const QString &pattern)
{
    if (pattern == text)
        return;
    text = pattern;
    if (text.isEmpty())
        setFilterRegularExpression(QRegularExpression());
    else if (isGlob())
        setFilterRegularExpression(GlobPattern::toRegularExpression(text));
    else
        setFilterRegularExpression(QRegularExpression(QRegularExpression::escape(text),
                                                      QRegularExpression::CaseInsensitiveOption));
    emit patternChanged(text);
}
