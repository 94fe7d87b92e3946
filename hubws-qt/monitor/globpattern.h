// SPDX-License-Identifier: MIT
#ifndef GLOBPATTERN_H
#define GLOBPATTERN_H

#include <QtCore/QRegularExpression>
#include <QtCore/QString>

// Shell globs as the nanostate tool reads them (fnmatch() without
// FNM_PATHNAME), matched against the whole state name:
//   *        any characters, '/' included: "robot/*" covers "robot/arm/angle"
//   ?        exactly one character, '/' included
//   [abc]    one of the set; ranges "[a-z]"; "[!a]" or "[^a]" negates; a ']'
//            right after "[" or "[!" belongs to the set; a '[' with no
//            closing ']' is an ordinary character
//   \c       the character c itself
// Written here because Qt 5.15's QRegularExpression::wildcardToRegularExpression()
// stops '*' and '?' at '/' (it follows FNM_PATHNAME).
namespace GlobPattern {
// True when text holds any of * ? [ (so it is a pattern, not a plain name).
bool isPattern(const QString &text);
// An anchored expression that matches exactly the names the glob matches.
QRegularExpression toRegularExpression(const QString &glob,
                                       Qt::CaseSensitivity cs = Qt::CaseSensitive);
} // namespace GlobPattern

#endif // GLOBPATTERN_H
