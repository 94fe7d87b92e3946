// SPDX-License-Identifier: MIT
#include "variantcompare.h"

#include <nanostatevariant.h>

#include <QtCore/QDateTime>
#include <QtCore/QStringList>

#include <cmath>

namespace {

bool sameNumber(double a, double b)
{
    return (std::isnan(a) && std::isnan(b)) || (a == b && std::signbit(a) == std::signbit(b));
}

QString scalarText(const QVariant &v)
{
    switch (v.userType()) {
    case QMetaType::UnknownType:
        return QString();
    case QMetaType::Nullptr:
        return QStringLiteral("null");
    case QMetaType::QByteArray:
        return QString::fromLatin1(v.toByteArray().toHex(' '));
    case QMetaType::QString:
        return QLatin1Char('"') + v.toString() + QLatin1Char('"');
    case QMetaType::QDateTime: {
        const QDateTime t = v.toDateTime();
        return t.toString(Qt::ISODateWithMs) + QStringLiteral(" (spec %1)").arg(t.timeSpec());
    }
    case QMetaType::Double:
    case QMetaType::Float:
        return QString::number(v.toDouble(), 'g', 17);
    default:
        break;
    }
    if (v.userType() == qMetaTypeId<NanostateExt>()) {
        const NanostateExt e = v.value<NanostateExt>();
        return QStringLiteral("{type %1, data %2}")
                .arg(e.type)
                .arg(QString::fromLatin1(e.data.toHex(' ')));
    }
    return v.toString();
}

} // namespace

QString describeVariant(const QVariant &value)
{
    const QString type =
            value.isValid() ? QString::fromLatin1(value.typeName()) : QStringLiteral("(invalid)");
    if (value.userType() == QMetaType::QVariantList || value.userType() == QMetaType::QStringList) {
        QStringList items;
        for (const QVariant &item : value.toList())
            items.append(describeVariant(item));
        return type + QStringLiteral(" [") + items.join(QStringLiteral(", ")) + QLatin1Char(']');
    }
    if (value.userType() == QMetaType::QVariantMap || value.userType() == QMetaType::QVariantHash) {
        const QVariantMap map = value.toMap();
        QStringList items;
        for (auto it = map.cbegin(); it != map.cend(); ++it)
            items.append(it.key() + QStringLiteral(": ") + describeVariant(it.value()));
        return type + QStringLiteral(" {") + items.join(QStringLiteral(", ")) + QLatin1Char('}');
    }
    const QString text = scalarText(value);
    return text.isEmpty() ? type : type + QLatin1Char(' ') + text;
}

QString variantDifference(const QVariant &actual, const QVariant &expected)
{
    const auto differ = [&] {
        return QStringLiteral("got %1, expected %2")
                .arg(describeVariant(actual), describeVariant(expected));
    };
    if (actual.userType() != expected.userType())
        return differ();
    switch (expected.userType()) {
    case QMetaType::UnknownType:
    case QMetaType::Nullptr:
        return QString();
    case QMetaType::Double:
    case QMetaType::Float:
        return sameNumber(actual.toDouble(), expected.toDouble()) ? QString() : differ();
    case QMetaType::QVariantList: {
        const QVariantList a = actual.toList(), e = expected.toList();
        if (a.size() != e.size())
            return differ();
        for (int i = 0; i < a.size(); ++i) {
            const QString inner = variantDifference(a.at(i), e.at(i));
            if (!inner.isEmpty())
                return QStringLiteral("[%1]: %2").arg(i).arg(inner);
        }
        return QString();
    }
    case QMetaType::QVariantMap: {
        const QVariantMap a = actual.toMap(), e = expected.toMap();
        if (a.keys() != e.keys())
            return differ();
        for (auto it = e.cbegin(); it != e.cend(); ++it) {
            const QString inner = variantDifference(a.value(it.key()), it.value());
            if (!inner.isEmpty())
                return QStringLiteral("[\"%1\"]: %2").arg(it.key(), inner);
        }
        return QString();
    }
    case QMetaType::QDateTime: {
        // The same instant is not enough: the time spec tells UTC from local.
        const QDateTime a = actual.toDateTime(), e = expected.toDateTime();
        return a == e && a.timeSpec() == e.timeSpec() ? QString() : differ();
    }
    default:
        break;
    }
    if (expected.userType() == qMetaTypeId<NanostateExt>())
        return actual.value<NanostateExt>() == expected.value<NanostateExt>() ? QString()
                                                                              : differ();
    return actual == expected ? QString() : differ();
}
