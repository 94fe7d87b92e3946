// SPDX-License-Identifier: MIT
#ifndef NANOSTATEVARIANT_H
#define NANOSTATEVARIANT_H

#include "qtnanostate_global.h"

#include <QtCore/QByteArray>
#include <QtCore/QMetaType>
#include <QtCore/QString>
#include <QtCore/QVariant>

// A msgpack ext value other than a timestamp, kept as it is so it round-trips.
struct QTNANOSTATE_EXPORT NanostateExt
{
    Q_GADGET
    Q_PROPERTY(int type MEMBER type)
    Q_PROPERTY(QByteArray data MEMBER data)
public:
    int type = 0; // -128..127
    QByteArray data;
    bool operator==(const NanostateExt &other) const
    {
        return type == other.type && data == other.data;
    }
};
Q_DECLARE_METATYPE(NanostateExt)

// QVariant <-> msgpack, the mapping every Qt App of Nanostate uses.
//
//   QVariant                                   msgpack
//   invalid, std::nullptr_t                    nil (decoded as std::nullptr_t)
//   bool                                       bool
//   int, qlonglong, short, char ...            int (smallest encoding)
//   uint, qulonglong, ushort ...               uint
//   double / float                             float64 / float32
//   QString, QUrl (as text), QUuid (as text)   str
//   QByteArray                                 bin
//   QStringList, QVariantList                  array
//   QVariantMap, QVariantHash                  map with str keys
//   QDateTime                                  timestamp (ext -1), UTC
//   QDate                                      str "yyyy-MM-dd"
//   QJsonValue, QJsonObject, QJsonArray        as their toVariant()
//   NanostateExt                               ext of that type
//
// Decoding gives: int for integers that fit, else qlonglong / qulonglong;
// float for float32, double for float64; map keys that are not strings
// become their JSON-like text. Other types (QPointF, QColor, QSize, ...)
// are refused with an error naming the type: convert them first (e.g. a
// QVariantMap {"x":..,"y":..} or a color name string).
namespace NanostateVariant {
// The packed msgpack bytes of a value; on an unsupported type returns an
// empty array and sets *error.
QTNANOSTATE_EXPORT QByteArray pack(const QVariant &value, QString *error = nullptr);
// The value of packed msgpack bytes; on malformed input returns an invalid
// QVariant and sets *error.
QTNANOSTATE_EXPORT QVariant unpack(const char *data, size_t size, QString *error = nullptr);
QTNANOSTATE_EXPORT QVariant unpack(const QByteArray &packed, QString *error = nullptr);
} // namespace NanostateVariant

#endif // NANOSTATEVARIANT_H
