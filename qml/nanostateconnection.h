// SPDX-License-Identifier: MIT
#ifndef NANOSTATECONNECTION_H
#define NANOSTATECONNECTION_H

#include <QtCore/QObject>
#include <QtCore/QString>
#include <QtCore/QStringList>
#include <QtCore/QVariant>
#include <QtQml/QJSValue>
#include <QtQml/QQmlParserStatus>

class NanostateApp;
class NanostateStateMap;
class QQmlPropertyMap;

// The QML type `Nanostate`: one connection to a hub, a thin adapter over
// NanostateApp.
//
//   Nanostate { id: ns; url: "tcp://127.0.0.1:15000"; identity: "panel" }
//   Text { text: ns.states.temperature }           // live, per state
//   Text { text: ns.states["robot/speed"] }         // names with '/'
//   Button { onClicked: ns.set("robot/mode", "auto") }
//
// url, identity and active take effect at componentComplete(): the App
// opens then if active (the default). Changing url or identity of an
// active connection reopens it; active: false closes it (states empty).
//
// `states` holds one property per state. A binding to states.x follows x,
// even when x does not exist yet: reading a name the map does not hold
// creates it, undefined (so keys() lists names read as well as states).
// A removed state reads undefined. Writing `states.x = v` publishes like
// set("x", v). A few names (keys, objectName, destroyed, ...) cannot be
// properties: use get() and set() for those.
//
// Values are mapped as NanostateJs documents (integral numbers are ints,
// ArrayBuffer is bytes, Date a timestamp).
class NanostateConnection : public QObject, public QQmlParserStatus
{
    Q_OBJECT
    Q_INTERFACES(QQmlParserStatus)
    Q_PROPERTY(QString url READ url WRITE setUrl NOTIFY urlChanged)
    Q_PROPERTY(QString identity READ identity WRITE setIdentity NOTIFY identityChanged)
    Q_PROPERTY(bool active READ isActive WRITE setActive NOTIFY activeChanged)
    Q_PROPERTY(bool connected READ isConnected NOTIFY connectedChanged)
    Q_PROPERTY(bool synced READ isSynced NOTIFY syncedChanged)
    Q_PROPERTY(QQmlPropertyMap *states READ states CONSTANT)

public:
    explicit NanostateConnection(QObject *parent = nullptr);
    ~NanostateConnection() override;

    // The effective values: an empty url reads as $NANOSTATE_URL or
    // tcp://127.0.0.1:15000, an empty identity as the application's name
    // and pid.
    QString url() const;
    void setUrl(const QString &url);
    QString identity() const;
    void setIdentity(const QString &identity);
    bool isActive() const;
    void setActive(bool active);

    bool isConnected() const;
    bool isSynced() const;
    QQmlPropertyMap *states() const;

    // Publishes a value; false (and errorOccurred) if the name or the value
    // is refused or the connection is not open.
    Q_INVOKABLE bool set(const QString &name, const QJSValue &value);
    // The value of a state, or defaultValue (undefined if not given).
    Q_INVOKABLE QVariant get(const QString &name, const QVariant &defaultValue = QVariant()) const;
    Q_INVOKABLE bool remove(const QString &name);
    // Every state's name, sorted (Object.keys(states) also lists the map's
    // own members).
    Q_INVOKABLE QStringList names() const;

    // For NanostateValue and C++ users; owned by this object, never null.
    NanostateApp *app() const;
    // Publishes a QVariant already normalised (NanostateJs).
    bool publish(const QString &name, const QVariant &value);

    void classBegin() override;
    void componentComplete() override;

Q_SIGNALS:
    void urlChanged();
    void identityChanged();
    void activeChanged();
    void connectedChanged();
    void syncedChanged();
    void stateUpdated(const QString &name, const QVariant &value, const QString &sender);
    void stateRemoved(const QString &name);
    void errorOccurred(const QString &message);

private:
    void reopen();
    void onStateUpdated(const QString &name, const QVariant &value, const QString &sender);
    void onStateRemoved(const QString &name);
    void reconcile();

    NanostateApp *m_app;
    NanostateStateMap *m_states;
    QString m_url; // as set, empty for the default
    QString m_identity; // as set, empty for the default
    QString m_writing; // the name states.x = v is publishing, if any
    bool m_active = true;
    bool m_complete = true; // false between classBegin and componentComplete
};

#endif // NANOSTATECONNECTION_H
