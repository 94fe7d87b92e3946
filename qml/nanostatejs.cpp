// SPDX-License-Identifier: MIT
#include "nanostatejs.h"

#include <QtCore/QDateTime>
#include <QtQml/QJSValueIterator>

#include <cmath>
#include <limits>

namespace {

// Largest integer a double holds exactly: 2^53.
const double maxExactInteger = 9007199254740992.0;

QVariant number(double d)
{
    if (!std::isfinite(d) || d != std::floor(d) || std::fabs(d) > maxExactInteger)
        return d;
    if (d >= std::numeric_limits<int>::min() && d <= std::numeric_limits<int>::max())
        return int(d); // -0 becomes 0, as === says
    return qlonglong(d);
}

} // namespace

QVariant NanostateJs::fromJs(const QJSValue &value)
{
    if (value.isUndefined() || value.isNull())
        return QVariant::fromValue(nullptr);
    if (value.isBool())
        return value.toBool();
    if (value.isNumber())
        return number(value.toNumber());
    if (value.isString())
        return value.toString();
    if (value.isDate())
        return value.toDateTime();
    if (value.isArray()) {
        const int length = value.property(QStringLiteral("length")).toInt();
        QVariantList list;
        list.reserve(length);
        for (int i = 0; i < length; ++i)
            list.append(fromJs(value.property(quint32(i))));
        return list;
    }
    // Refused by NanostateApp with a message naming the type.
    if (value.isCallable())
        return QVariant::fromValue(value);
    if (value.isQObject() || value.isVariant())
        return value.toVariant();
    // A typed array or DataView: the bytes it views (its `buffer` is an
    // inherited getter; an own property `buffer` is just a field).
    const QJSValue buffer = value.property(QStringLiteral("buffer"));
    if (buffer.isObject() && !value.hasOwnProperty(QStringLiteral("buffer"))) {
        const QVariant bytes = buffer.toVariant();
        if (bytes.userType() == QMetaType::QByteArray)
            return bytes.toByteArray().mid(value.property(QStringLiteral("byteOffset")).toInt(),
                                           value.property(QStringLiteral("byteLength")).toInt());
    }
    // ArrayBuffer gives QByteArray. A plain object gives a map whose
    // numbers were not normalised: walk it ourselves.
    const QVariant converted = value.toVariant();
    if (converted.userType() == QMetaType::QVariantMap) {
        QVariantMap map;
        QJSValueIterator it(value);
        while (it.hasNext()) {
            it.next();
            map.insert(it.name(), fromJs(it.value()));
        }
        return map;
    }
    return converted;
}

QVariant NanostateJs::normalized(const QVariant &value)
{
    switch (value.userType()) {
    case QMetaType::UnknownType:
        return QVariant::fromValue(nullptr);
    case QMetaType::Double:
        return number(value.toDouble());
    case QMetaType::QVariantList: {
        QVariantList list = value.toList();
        for (QVariant &item : list)
            item = normalized(item);
        return list;
    }
    case QMetaType::QVariantMap: {
        QVariantMap map = value.toMap();
        for (QVariant &item : map)
            item = normalized(item);
        return map;
    }
    default:
        break;
    }
    if (value.userType() == qMetaTypeId<QJSValue>())
        return fromJs(value.value<QJSValue>());
    return value;
}

bool NanostateJs::same(const QVariant &a, const QVariant &b)
{
    if (a.userType() != b.userType())
        return false;
    switch (a.userType()) {
    case QMetaType::UnknownType:
    case QMetaType::Nullptr:
        return true;
    case QMetaType::QVariantList: {
        const QVariantList x = a.toList(), y = b.toList();
        if (x.size() != y.size())
            return false;
        for (int i = 0; i < x.size(); ++i)
            if (!same(x.at(i), y.at(i)))
                return false;
        return true;
    }
    case QMetaType::QVariantMap: {
        const QVariantMap x = a.toMap(), y = b.toMap();
        if (x.size() != y.size())
            return false;
        for (auto i = x.constBegin(), j = y.constBegin(); i != x.constEnd(); ++i, ++j)
            if (i.key() != j.key() || !same(i.value(), j.value()))
                return false;
        return true;
    }
    case QMetaType::Double:
        // NaN is NaN: publishing it again changes nothing.
        if (std::isnan(a.toDouble()) && std::isnan(b.toDouble()))
            return true;
        break;
    default:
        break;
    }
    return a == b;
}
