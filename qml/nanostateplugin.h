// SPDX-License-Identifier: MIT
#ifndef NANOSTATEPLUGIN_H
#define NANOSTATEPLUGIN_H

#include <QtQml/QQmlExtensionPlugin>

// The QML module `Nanostate 1.0`: registers Nanostate and NanostateValue.
class NanostatePlugin : public QQmlExtensionPlugin
{
    Q_OBJECT
    Q_PLUGIN_METADATA(IID QQmlExtensionInterface_iid)
public:
    void registerTypes(const char *uri) override;
};

#endif // NANOSTATEPLUGIN_H
