// SPDX-License-Identifier: MIT
#ifndef NANOSTATEVALUE_H
#define NANOSTATEVALUE_H

#include <QtCore/QMetaObject>
#include <QtCore/QObject>
#include <QtCore/QVector>
#include <QtCore/QString>
#include <QtCore/QVariant>
#include <QtQml/QQmlParserStatus>

class NanostateConnection;

// The QML type `NanostateValue`: a two-way binding of one state.
//
//   NanostateValue { id: speed; source: ns; name: "robot/speed"; value: 0.5 }
//   Slider { value: speed.value; onMoved: speed.value = value }
//
// Writing `value` publishes it; a change by anyone else updates `value`.
// A write of the value it already has does nothing: no publish, no
// valueChanged, so a binding that writes back what it read cannot loop.
//
// The initial value. Until the element is bound - source set, name set,
// component complete and the connection synced (it holds the hub's whole
// table) - a value written to it (the one declared in QML, or any written
// before) is only a proposal, not published. When it gets bound:
//   - the hub has the state: `value` takes the hub's value, the proposal
//     is dropped (the running system wins over a default in a QML file);
//   - the hub does not have it: the proposal is published then;
//   - neither: `value` is undefined and `exists` false.
// The same happens after the connection was closed and opened again, and
// when `name` or `source` changes (the last value is then not carried over
// to the new state; a proposal written while unbound is).
//
// `exists` says whether the state exists (false while unbound); `sender`
// is the identity of the App that wrote its current value. A removal makes
// `value` undefined. Writing undefined publishes null.
class NanostateValue : public QObject, public QQmlParserStatus
{
    Q_OBJECT
    Q_INTERFACES(QQmlParserStatus)
    Q_PROPERTY(NanostateConnection *source READ source WRITE setSource NOTIFY sourceChanged)
    Q_PROPERTY(QString name READ name WRITE setName NOTIFY nameChanged)
    Q_PROPERTY(QVariant value READ value WRITE setValue NOTIFY valueChanged)
    Q_PROPERTY(bool exists READ exists NOTIFY existsChanged)
    Q_PROPERTY(QString sender READ stateSender NOTIFY senderChanged)

public:
    explicit NanostateValue(QObject *parent = nullptr);
    ~NanostateValue() override;

    NanostateConnection *source() const;
    void setSource(NanostateConnection *source);
    QString name() const;
    void setName(const QString &name);
    QVariant value() const;
    void setValue(const QVariant &value);
    bool exists() const;
    QString stateSender() const;

    void classBegin() override;
    void componentComplete() override;

Q_SIGNALS:
    void sourceChanged();
    void nameChanged();
    void valueChanged();
    void existsChanged();
    void senderChanged();

private:
    void tryBind();
    void unbind();
    void show(const QVariant &value, bool exists, const QString &sender);
    void setExists(bool exists, const QString &sender);
    void onStateUpdated(const QString &name, const QVariant &value, const QString &sender);
    void onStateRemoved(const QString &name);
    void onSyncedChanged(bool synced);
    void onOpenChanged(bool open);

    NanostateConnection *m_source = nullptr; // reset when it is destroyed
    QVector<QMetaObject::Connection> m_connections;
    QString m_name;
    QVariant m_value; // invalid: undefined
    QString m_sender;
    bool m_exists = false;
    bool m_bound = false; // follows the state (see the class comment)
    bool m_pending = false; // m_value is a proposal to publish when bound
    bool m_complete = true; // false between classBegin and componentComplete
};

#endif // NANOSTATEVALUE_H
