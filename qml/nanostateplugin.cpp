// SPDX-License-Identifier: MIT
#include "nanostateplugin.h"
#include "nanostateconnection.h"
#include "nanostatevalue.h"

#include <QtQml/QQmlPropertyMap>
#include <QtQml/qqml.h>

void NanostatePlugin::registerTypes(const char *uri)
{
    Q_ASSERT(QLatin1String(uri) == QLatin1String("Nanostate"));
    // @uri Nanostate
    qmlRegisterType<NanostateConnection>(uri, 1, 0, "Nanostate");
    qmlRegisterType<NanostateValue>(uri, 1, 0, "NanostateValue");
    // The type of Nanostate.states, known to QML but not creatable.
    qmlRegisterAnonymousType<QQmlPropertyMap>(uri, 1);
}
