// SPDX-License-Identifier: MIT
#include "tcplistener.h"

#include <QtCore/QFile>
#include <QtNetwork/QSslCertificate>
#include <QtNetwork/QSslKey>
#include <QtNetwork/QSslSocket>

TcpListener::TcpListener(QObject *parent) : QTcpServer(parent) { }

void TcpListener::setTls(const QSslConfiguration &configuration)
{
    tls = configuration;
}

bool TcpListener::loadTls(const QString &certFile, const QString &keyFile,
                          QSslConfiguration *out, QString *error)
{
    if (!QSslSocket::supportsSsl()) {
        *error = QStringLiteral("TLS is not available (Qt found no OpenSSL %1)")
                     .arg(QSslSocket::sslLibraryBuildVersionString());
        return false;
    }
    const QList<QSslCertificate> chain = QSslCertificate::fromPath(certFile, QSsl::Pem);
    if (chain.isEmpty()) {
        *error = QStringLiteral("no PEM certificate in %1").arg(certFile);
        return false;
    }
    QFile f(keyFile);
    if (!f.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("cannot read %1: %2").arg(keyFile, f.errorString());
        return false;
    }
    const QByteArray pem = f.readAll();
    QSslKey key;
    for (QSsl::KeyAlgorithm algorithm : {QSsl::Rsa, QSsl::Ec, QSsl::Dsa}) {
        key = QSslKey(pem, algorithm, QSsl::Pem);
        if (!key.isNull())
            break;
    }
    if (key.isNull()) {
        *error = QStringLiteral("no unencrypted PEM private key (RSA, EC or DSA) in %1").arg(keyFile);
        return false;
    }
    QSslConfiguration c = QSslConfiguration::defaultConfiguration();
    c.setLocalCertificate(chain.first());
    c.setLocalCertificateChain(chain);
    c.setPrivateKey(key);
    c.setPeerVerifyMode(QSslSocket::VerifyNone); // clients need no certificate
    c.setProtocol(QSsl::TlsV1_2OrLater);
    *out = c;
    return true;
}

void TcpListener::incomingConnection(qintptr socketDescriptor)
{
    if (tls.isNull()) {
        QTcpServer::incomingConnection(socketDescriptor);
        return;
    }
    auto *socket = new QSslSocket(this);
    if (!socket->setSocketDescriptor(socketDescriptor)) {
        delete socket;
        return;
    }
    socket->setSslConfiguration(tls);
    socket->startServerEncryption();
    addPendingConnection(socket); // QTcpServer emits newConnection() after this
}
