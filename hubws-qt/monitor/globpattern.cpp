// SPDX-License-Identifier: MIT
#include "globpattern.h"

namespace {
// A character inside [...] as the regular expression must spell it.
QString classChar(QChar c)
{
    if (c == QLatin1Char('\\') || c == QLatin1Char('^') || c == QLatin1Char('[')
        || c == QLatin1Char(']'))
        return QString(QLatin1Char('\\')) + c;
    return QString(c);
}

// Converts the set starting at glob[open] ('['). Returns the index after its
// ']' and appends the class to out, or returns -1 if the set is not closed.
int convertSet(const QString &glob, int open, QString *out)
{
    int i = open + 1;
    QString set = QStringLiteral("[");
    if (i < glob.size() && (glob.at(i) == QLatin1Char('!') || glob.at(i) == QLatin1Char('^'))) {
        set += QLatin1Char('^');
        ++i;
    }
    const int first = i;
    for (; i < glob.size(); ++i) {
        const QChar c = glob.at(i);
        if (c == QLatin1Char(']') && i > first) {
            *out += set + QLatin1Char(']');
            return i + 1;
        }
        if (c == QLatin1Char('-') && i > first && i + 1 < glob.size()
            && glob.at(i + 1) != QLatin1Char(']'))
            set += QLatin1Char('-'); // a range, between two escaped characters
        else
            set += classChar(c);
    }
    return -1;
}
} // namespace

bool GlobPattern::isPattern(const QString &text)
{
    for (const QChar c : text) {
        if (c == QLatin1Char('*') || c == QLatin1Char('?') || c == QLatin1Char('['))
            return true;
    }
    return false;
}

QRegularExpression GlobPattern::toRegularExpression(const QString &glob, Qt::CaseSensitivity cs)
{
    QString re;
    re.reserve(glob.size() * 2);
    for (int i = 0; i < glob.size();) {
        const QChar c = glob.at(i);
        if (c == QLatin1Char('*')) {
            while (i < glob.size() && glob.at(i) == QLatin1Char('*'))
                ++i;
            re += QLatin1String(".*");
        } else if (c == QLatin1Char('?')) {
            re += QLatin1Char('.');
            ++i;
        } else if (c == QLatin1Char('[')) {
            const int next = convertSet(glob, i, &re);
            if (next < 0) {
                re += QLatin1String("\\[");
                ++i;
            } else {
                i = next;
            }
        } else if (c == QLatin1Char('\\') && i + 1 < glob.size()) {
            re += QRegularExpression::escape(glob.mid(i + 1, 1));
            i += 2;
        } else {
            re += QRegularExpression::escape(QString(c));
            ++i;
        }
    }
    QRegularExpression::PatternOptions options = QRegularExpression::DotMatchesEverythingOption;
    if (cs == Qt::CaseInsensitive)
        options |= QRegularExpression::CaseInsensitiveOption;
    return QRegularExpression(QRegularExpression::anchoredPattern(re), options);
}
