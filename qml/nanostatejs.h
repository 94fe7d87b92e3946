// SPDX-License-Identifier: MIT
#ifndef NANOSTATEJS_H
#define NANOSTATEJS_H

#include <QtCore/QVariant>
#include <QtQml/QJSValue>

// JavaScript values <-> the QVariants NanostateApp publishes.
//
// JS has one number type; Nanostate has int and float. A value from QML is
// normalised before it is published or compared:
//
//   JS                         QVariant (then msgpack, see NanostateVariant)
//   integral number            int, or qlonglong beyond 32 bits (up to 2^53)
//   other number, NaN, inf     double
//   string, bool               QString, bool
//   null, undefined            std::nullptr_t (msgpack nil)
//   Array                      QVariantList, items normalised
//   plain object               QVariantMap, values normalised
//   ArrayBuffer                QByteArray (bin)
//   typed array, DataView      QByteArray of the bytes it views
//   Date                       QDateTime (timestamp)
//
// The way back is the QML engine's own: QByteArray becomes an ArrayBuffer,
// QDateTime a Date, lists arrays, maps objects, nil null.
namespace NanostateJs {
// The QVariant to publish for a JS value.
QVariant fromJs(const QJSValue &value);
// A QVariant that came from QML (a property write, a signal argument)
// normalised as above; QJSValues inside are converted with fromJs().
QVariant normalized(const QVariant &value);
// Whether a and b are the same Nanostate value: same types (after
// normalisation) and equal contents, recursively. Stricter than
// QVariant::operator==, for which 1 == true and 1 == "1".
bool same(const QVariant &a, const QVariant &b);
} // namespace NanostateJs

#endif // NANOSTATEJS_H
