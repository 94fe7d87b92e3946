// SPDX-License-Identifier: MIT
#include "nanostatestatemap.h"
#include "nanostatejs.h"

NanostateStateMap::NanostateStateMap(Publisher publish, QObject *parent)
    : QQmlPropertyMap(this, parent), m_publish(std::move(publish))
{
}

bool NanostateStateMap::isMappable(const QString &name)
{
    static const QStringList reserved = {
            // refused by QQmlPropertyMap::insert()
            QStringLiteral("keys"),
            QStringLiteral("valueChanged"),
            QStringLiteral("QObject"),
            QStringLiteral("destroyed"),
            QStringLiteral("deleteLater"),
            // QObject's own, which QML would find first
            QStringLiteral("objectName"),
            QStringLiteral("objectNameChanged"),
    };
    return !reserved.contains(name);
}

QVariant NanostateStateMap::updateValue(const QString &key, const QVariant &input)
{
    const QVariant value = NanostateJs::normalized(input);
    if (!m_publish(key, value))
        return this->value(key); // refused (see errorOccurred): keep the old one
    return value;
}
