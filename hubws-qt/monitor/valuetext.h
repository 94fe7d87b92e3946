// SPDX-License-Identifier: MIT
#ifndef VALUETEXT_H
#define VALUETEXT_H

#include <QtCore/QByteArray>
#include <QtCore/QString>
#include <QtCore/QVariant>

// Values as the text the monitor shows and reads back: compact JSON, with
// the mapping of the nanostate tool (cnanostate/cli/json_value.h) for what
// JSON lacks:
//
//   msgpack       text
//   nil           null
//   bool          true / false
//   int, uint     integer (digits only)
//   float         real, always with '.' or an exponent ("2.0"); NaN, Inf: null
//   str           "string" (JSON escapes)
//   bin           {"base64": "..."}
//   ext           {"ext": TYPE, "base64": "..."}
//   timestamp     "2024-05-01T12:00:00.000Z" (shown only: read back as a str)
//   array, map    [...], {...} (map keys sorted, as in a QVariantMap)
//
// Reading: text that is exactly one JSON value becomes that value (an
// integer literal becomes int or uint, a literal with '.' or an exponent a
// float64, so "3.0" stays a float); any other text is taken as a string
// as it is ("hello", "" and "1,2" are strs).
namespace ValueText {
// Type name of packed bytes, as nanostate_type_name() says ("map", "str").
QString typeName(const QByteArray &packed);
// A one-line preview of packed bytes: at most maxChars characters, cut with
// "…". Values bigger than maxUnpack bytes are not unpacked: "(str, 10485760 bytes)".
QString preview(const QByteArray &packed, int maxChars, int maxUnpack = 1024 * 1024);
// The whole value as compact JSON text (empty on malformed bytes).
QString json(const QByteArray &packed);
QString json(const QVariant &value);
// Text typed by a user, as a value (see above).
QVariant parse(const QString &text);
} // namespace ValueText

#endif // VALUETEXT_H
