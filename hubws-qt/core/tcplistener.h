// SPDX-License-Identifier: MIT
#ifndef TCPLISTENER_H
#define TCPLISTENER_H

#include <QtNetwork/QSslConfiguration>
#include <QtNetwork/QTcpServer>

// The hub's one HTTP/WebSocket port. With a TLS configuration every accepted
// connection is a QSslSocket that starts the server handshake at once;
// nextPendingConnection() hands it out before the handshake is done (its
// readyRead() then brings the decrypted request).
class TcpListener : public QTcpServer
{
    Q_OBJECT
public:
    explicit TcpListener(QObject *parent = nullptr);

    void setTls(const QSslConfiguration &configuration);
    bool isTls() const { return !tls.isNull(); }
    // Loads a PEM certificate (chain) and private key into a server
    // configuration; false with *error.
    static bool loadTls(const QString &certFile, const QString &keyFile,
                        QSslConfiguration *out, QString *error);

protected:
    void incomingConnection(qintptr socketDescriptor) override;

private:
    QSslConfiguration tls;
};

#endif // TCPLISTENER_H
