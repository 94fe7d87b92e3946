// SPDX-License-Identifier: MIT
#ifndef NANOSTATESTATEMAP_H
#define NANOSTATESTATEMAP_H

#include <QtQml/QQmlPropertyMap>

#include <functional>

// The `states` object of a Nanostate element: one property per state, so
// that a binding to `states.temperature` follows that one state.
//
// NanostateConnection keeps it in step with the App (insert() on update,
// clear() on removal). A write from QML (`states.x = 5`) goes through
// updateValue(), which publishes it; the map holds the new value only if
// the App accepted it. No signals or properties of its own: every name
// here would hide a state of that name from QML.
class NanostateStateMap : public QQmlPropertyMap
{
    Q_OBJECT
public:
    using Publisher = std::function<bool(const QString &name, const QVariant &value)>;

    NanostateStateMap(Publisher publish, QObject *parent = nullptr);

    // Names QQmlPropertyMap refuses or QObject already uses: such states
    // are only reachable with Nanostate.get().
    static bool isMappable(const QString &name);

protected:
    QVariant updateValue(const QString &key, const QVariant &input) override;

private:
    Publisher m_publish;
};

#endif // NANOSTATESTATEMAP_H
