// SPDX-License-Identifier: MIT
#ifndef NANOSTATEAPP_H
#define NANOSTATEAPP_H

#include "qtnanostate_global.h"

#include <QtCore/QObject>
#include <QtCore/QScopedPointer>
#include <QtCore/QString>
#include <QtCore/QStringList>
#include <QtCore/QVariant>

struct nanostate_app;
class NanostateAppPrivate;

// A Nanostate App as a QObject: a live replica of every state on the bus,
// with signals for changes and slots to publish.
//
// It is driven by the event loop of the thread it lives in (a socket
// notifier on the library's file descriptor and a single-shot timer for its
// heartbeat and re-send deadlines): no thread, no polling. Create it in, or
// move it to, the thread whose event loop should run it before open(); all
// signals are emitted from that thread, and its functions must be called
// from there too.
//
// Values are QVariants, mapped to msgpack as NanostateVariant documents.
// stateUpdated is emitted only when a value really changes (a value set again
// is not a change), for other Apps' changes and for this App's own sets
// (sender() is then identity()).
class QTNANOSTATE_EXPORT NanostateApp : public QObject
{
    Q_OBJECT
    Q_PROPERTY(QString url READ url WRITE setUrl NOTIFY urlChanged)
    Q_PROPERTY(QString identity READ identity WRITE setIdentity NOTIFY identityChanged)
    Q_PROPERTY(bool open READ isOpen NOTIFY openChanged)
    Q_PROPERTY(bool connected READ isConnected NOTIFY connectedChanged)
    Q_PROPERTY(bool synced READ isSynced NOTIFY syncedChanged)
    Q_PROPERTY(QVariantMap states READ states NOTIFY statesChanged)

public:
    enum Error {
        NoError,
        InvalidUrlError,     // malformed URL or unknown transport
        InvalidNameError,    // empty, over 1024 bytes, or starting with '$'
        UnsupportedValueError, // a QVariant type with no msgpack mapping
        ValueTooLargeError,  // over the hub's maximum frame size
        NotOpenError,        // the App is not open
        TransportError       // nanomsg refused
    };
    Q_ENUM(Error)

    explicit NanostateApp(QObject *parent = nullptr);
    // url empty: $NANOSTATE_URL, else tcp://127.0.0.1:15000; identity empty:
    // the application name and pid.
    NanostateApp(const QString &url, const QString &identity, QObject *parent = nullptr);
    ~NanostateApp() override;

    QString url() const;
    void setUrl(const QString &url); // takes effect at the next open()
    QString identity() const;
    void setIdentity(const QString &identity); // takes effect at the next open()

    bool isOpen() const;
    bool isConnected() const; // a hub heartbeat within two periods
    bool isSynced() const;    // holds the hub's whole table
    QVariantMap states() const;

    Q_INVOKABLE QVariant state(const QString &name, const QVariant &defaultValue = QVariant()) const;
    Q_INVOKABLE bool hasState(const QString &name) const;
    Q_INVOKABLE QString stateSender(const QString &name) const;
    QStringList stateNames() const;
    // Own updates the hub has not accepted yet.
    int pendingCount() const;
    // Blocks until the hub accepted every own update (pendingCount() == 0)
    // or msecs passed, sending and receiving meanwhile; signals follow when
    // it returns. Like QAbstractSocket::waitForBytesWritten: for code without
    // an event loop (a burst of setState() otherwise goes out when the event
    // loop next runs). False on timeout, when not open, or when called from
    // a slot connected to this App's signals.
    bool waitForAccepted(int msecs = 30000);

    Error error() const;
    QString errorString() const;

    // The C handle, for what the wrapper does not cover; owned by this object.
    nanostate_app *handle() const;

public Q_SLOTS:
    bool open();
    void close();
    bool setState(const QString &name, const QVariant &value);
    bool removeState(const QString &name);

Q_SIGNALS:
    void urlChanged();
    void identityChanged();
    void openChanged(bool open);
    void connectedChanged(bool connected);
    void syncedChanged(bool synced);
    void statesChanged();
    void stateUpdated(const QString &name, const QVariant &value, const QString &sender);
    void stateRemoved(const QString &name);
    void errorOccurred(NanostateApp::Error error, const QString &message);

private:
    Q_DECLARE_PRIVATE(NanostateApp)
    QScopedPointer<NanostateAppPrivate> d_ptr;
};

#endif // NANOSTATEAPP_H
