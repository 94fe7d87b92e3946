// SPDX-License-Identifier: MIT
//
// nanostate-hubws, run as a process of the build under test, driven by
// WebSocket clients (QWebSocket, and a raw socket that stops reading) and a
// nanomsg App (NanostateApp, libnanostate in-process).
#include "hubprocess.h"
#include "hubwsprocess.h"
#include "nanostateapp.h"
#include "nanostatevariant.h"
#include "rawhttp.h"
#include "stalledclient.h"
#include "wireframe.h"
#include "wspeer.h"

#include <nanostate/nanostate.h>

#include <QtCore/QDir>
#include <QtCore/QElapsedTimer>
#include <QtCore/QFile>
#include <QtCore/QProcess>
#include <QtCore/QRandomGenerator>
#include <QtCore/QRegularExpression>
#include <QtCore/QStandardPaths>
#include <QtCore/QTemporaryDir>
#include <QtCore/QTimer>
#include <QtCore/QtEndian>
#include <QtNetwork/QHostAddress>
#include <QtNetwork/QSslCertificate>
#include <QtNetwork/QSslSocket>
#include <QtNetwork/QTcpSocket>
#include <QtTest/QtTest>

namespace {
const int timeoutMs = 10000;

QByteArray randomBytes(int n)
{
    QByteArray b(n, Qt::Uninitialized);
    for (int i = 0; i < n; ++i)
        b[i] = char(QRandomGenerator::global()->bounded(256));
    return b;
}

QByteArray appValue(NanostateApp &app, const QString &name)
{
    nanostate_value v;
    if (!app.handle()
        || nanostate_app_get(app.handle(), name.toUtf8().constData(), &v, nullptr) != 0)
        return QByteArray();
    return QByteArray(static_cast<const char *>(v.packed), int(v.size));
}

QString scratch()
{
    const QString fromRunner = qEnvironmentVariable("NANOSTATE_TEST_TMP");
    if (!fromRunner.isEmpty())
        return fromRunner;
    static QTemporaryDir own;
    return own.path();
}

QNetworkRequest wsRequest(const QUrl &url)
{
    return QNetworkRequest(url);
}

bool writeFile(const QString &path, const QByteArray &data)
{
    QFile f(path);
    return f.open(QIODevice::WriteOnly) && f.write(data) == data.size();
}

// Puts "-c FILE" in front of *options, FILE holding `text`; nothing when
// text is empty.
bool addConfigFile(const QByteArray &text, const QString &fileName, QStringList *options)
{
    if (text.isEmpty())
        return true;
    const QString file = scratch() + QLatin1Char('/') + fileName;
    *options = QStringList{QStringLiteral("-c"), file} + *options;
    return writeFile(file, text);
}

// The addresses listening on TCP `port`, as the kernel lists them.
QList<QHostAddress> listeningAddresses(quint16 port)
{
    QList<QHostAddress> found;
    for (const char *table : {"/proc/net/tcp", "/proc/net/tcp6"}) {
        QFile f(QString::fromLatin1(table));
        if (!f.open(QIODevice::ReadOnly))
            continue;
        const QList<QByteArray> lines = f.readAll().split('\n');
        for (const QByteArray &line : lines.mid(1)) {
            const QList<QByteArray> columns = line.simplified().split(' ');
            if (columns.size() < 4 || columns.at(3) != "0A") // 0A: LISTEN
                continue;
            const QList<QByteArray> local = columns.at(1).split(':');
            if (local.size() != 2 || local.at(1).toUInt(nullptr, 16) != port)
                continue;
            // Each 32-bit word of the address is printed as the number its
            // bytes make in this machine's byte order.
            QByteArray bytes;
            for (int w = 0; w + 8 <= local.at(0).size(); w += 8) {
                const quint32 word = local.at(0).mid(w, 8).toUInt(nullptr, 16);
                bytes.append(reinterpret_cast<const char *>(&word), 4);
            }
            if (bytes.size() == 4)
                found.append(QHostAddress(qFromBigEndian<quint32>(bytes.constData())));
            else if (bytes.size() == 16)
                found.append(QHostAddress(reinterpret_cast<const quint8 *>(bytes.constData())));
        }
    }
    return found;
}
} // namespace

class tst_HubWs : public QObject
{
    Q_OBJECT

private:
    // A started hub, or the test fails.
    bool startHub(HubWsProcess &hub, const QStringList &extra = QStringList());
    // A connected WebSocket client.
    WsPeer *connectPeer(HubWsProcess &hub, const QString &identity, bool autoSync = false);
    // A nanomsg App with the hub's table.
    NanostateApp *openApp(HubWsProcess &hub, const QString &identity);
    // Sets a marker state from the App and waits until `peer` has it: all
    // frames sent to the peer before are there by then.
    bool marker(NanostateApp &app, WsPeer &peer, const QString &name);
    // Sets a marker state from the App and waits until the hub took it: the
    // App has then seen every change the hub made before.
    bool settle(NanostateApp &app);

private Q_SLOTS:
    void initTestCase();
    void cleanup();
    void helpAndUsageErrors();
    void wsUpdatesReachNanomsgBytesIntact();
    void nanomsgUpdatesReachWsBytesIntact();
    void snapshotGoesToTheAskingClientOnly();
    void senderGetsAckInsteadOfEcho();
    void originalStyleFrameIsAccepted();
    void textMessageClosesWith1003();
    void staticFilesAreServed();
    void builtinPageWithoutWebRoot();
    void originIsChecked_data();
    void originIsChecked();
    void tokenIsRequired_data();
    void tokenIsRequired();
    void tlsServesWssAndHttps();
    void oversizeFrameClosesOnlyThatClient();
    void slowClientIsConflatedNotDropped();
    void connectionCapAnswers503();
    void hubFiguresReachWsClients();
    void stateFileSurvivesRestart();
    void silentOrHugeHeadIsDropped();
    void configFileAndFlags();
    void exampleConfigListsEveryOption();
    void readOnlyRefusesWritesWhileReadsFlow();
    void readOnlyClientCannotTakeOverAnAppsSession();
    void tokenPrefixesLimitWrites_data();
    void tokenPrefixesLimitWrites();
    void badTokenOrReadOnlySyntaxExits2_data();
    void badTokenOrReadOnlySyntaxExits2();
    void dollarNamesAreRefusedFromWs();
    void listensOnLoopbackUnlessAsked_data();
    void listensOnLoopbackUnlessAsked();

private:
    QObjectList owned; // deleted after each test
};

bool tst_HubWs::startHub(HubWsProcess &hub, const QStringList &extra)
{
    QString why;
    if (!hub.start(extra, &why)) {
        qWarning("%s", qPrintable(why)); // shown beside the failed QVERIFY
        return false;
    }
    return true;
}

WsPeer *tst_HubWs::connectPeer(HubWsProcess &hub, const QString &identity, bool autoSync)
{
    auto *peer = new WsPeer(identity);
    owned.append(peer);
    peer->setAutoSync(autoSync);
    peer->open(wsRequest(hub.wsUrl()));
    if (!peer->waitConnected(timeoutMs))
        return nullptr;
    return peer;
}

NanostateApp *tst_HubWs::openApp(HubWsProcess &hub, const QString &identity)
{
    auto *app = new NanostateApp(hub.nanomsgUrl(), identity);
    owned.append(app);
    if (!app->open())
        return nullptr;
    return QTest::qWaitFor([app] { return app->isSynced(); }, timeoutMs) ? app : nullptr;
}

bool tst_HubWs::marker(NanostateApp &app, WsPeer &peer, const QString &name)
{
    app.setState(name, 1);
    return QTest::qWaitFor(
        [&] {
            return peer.hasFrame(
                [&](const WireFrame &f) { return f.op == WireFrame::Set && f.name == name; });
        },
        timeoutMs);
}

bool tst_HubWs::settle(NanostateApp &app)
{
    static int n = 0;
    ++n;
    return app.setState(QStringLiteral("settle/%1").arg(n), n)
        && QTest::qWaitFor([&] { return app.pendingCount() == 0; }, timeoutMs);
}

void tst_HubWs::cleanup()
{
    qDeleteAll(owned);
    owned.clear();
}

void tst_HubWs::initTestCase()
{
    const QString tool = HubProcess::toolPath(QStringLiteral("nanostate-hubws"));
    QVERIFY2(QFileInfo(tool).isExecutable(), qPrintable(tool + QStringLiteral(" is missing")));
}

void tst_HubWs::helpAndUsageErrors()
{
    QByteArray out;
    QCOMPARE(HubWsProcess::run({QStringLiteral("--help")}, &out), 0);
    for (const char *word : {"--bind", "--ws-host", "--ws-port", "--allow-origin", "--token", "--cert",
                             "--max-clients", "--max-queue", "--stall-timeout", "--web-root",
                             "--config", "--headless", "--read-only-ws", "TOKEN:robot/,ui/",
                             "1008", "EXIT STATUS"})
        QVERIFY2(out.contains(word), word);
    QCOMPARE(HubWsProcess::run({QStringLiteral("--no-such-option")}, &out), 2);
    QVERIFY(out.contains("unknown option"));
    QCOMPARE(HubWsProcess::run({QStringLiteral("--cert"), QStringLiteral("x.pem")}, &out), 2);
    QVERIFY(out.contains("--cert and --key go together"));
}

void tst_HubWs::wsUpdatesReachNanomsgBytesIntact()
{
    HubWsProcess hub;
    QVERIFY(startHub(hub));
    NanostateApp *app = openApp(hub, QStringLiteral("c-side"));
    QVERIFY(app);
    WsPeer *ws = connectPeer(hub, QStringLiteral("browser"));
    QVERIFY(ws);

    // A wider encoding than needed, a map, a big bin: the same bytes arrive.
    const QList<QPair<QString, QByteArray>> values = {
        {QStringLiteral("ws/int"), QByteArray::fromHex("cd0005")},
        {QStringLiteral("ws/map"), QByteArray::fromHex("82a178cb3ff8000000000000a179c0")},
        {QStringLiteral("ws/blob"), WireFrame::packBin(randomBytes(1 << 20))},
    };
    QMap<QString, quint64> aseqs;
    for (const auto &v : values)
        aseqs.insert(v.first, ws->sendSet(v.first, v.second));
    for (const auto &v : values) {
        QTRY_COMPARE_WITH_TIMEOUT(appValue(*app, v.first).size(), v.second.size(), timeoutMs);
        QVERIFY(appValue(*app, v.first) == v.second);
        QCOMPARE(app->stateSender(v.first), QStringLiteral("browser"));
    }
    // Each was acknowledged to its sender.
    QTRY_COMPARE_WITH_TIMEOUT(ws->framesWithOp(WireFrame::Ack), values.size(), timeoutMs);
}

void tst_HubWs::nanomsgUpdatesReachWsBytesIntact()
{
    HubWsProcess hub;
    QVERIFY(startHub(hub));
    WsPeer *ws = connectPeer(hub, QStringLiteral("browser"));
    QVERIFY(ws);
    NanostateApp *app = openApp(hub, QStringLiteral("c-side"));
    QVERIFY(app);

    const QByteArray blob = randomBytes(1 << 20);
    QVERIFY(app->setState(QStringLiteral("nn/blob"), blob));
    QVERIFY(app->setState(QStringLiteral("nn/speed"), 0.7));
    const QByteArray packedBlob = NanostateVariant::pack(blob);
    const QByteArray packedSpeed = NanostateVariant::pack(0.7);
    auto valueOf = [ws](const QString &name) {
        for (const WireFrame &f : qAsConst(ws->frames)) {
            if (f.op == WireFrame::Set && f.name == name)
                return f.value;
        }
        return QByteArray();
    };
    QTRY_VERIFY_WITH_TIMEOUT(!valueOf(QStringLiteral("nn/blob")).isEmpty(), timeoutMs);
    QTRY_VERIFY_WITH_TIMEOUT(!valueOf(QStringLiteral("nn/speed")).isEmpty(), timeoutMs);
    QVERIFY(valueOf(QStringLiteral("nn/blob")) == packedBlob);
    QCOMPARE(valueOf(QStringLiteral("nn/speed")).toHex(), packedSpeed.toHex());
    QVERIFY(ws->hasFrame([](const WireFrame &f) {
        return f.name == QLatin1String("nn/speed") && f.sender == QLatin1String("c-side")
            && f.seq() > 0;
    }));
    QCOMPARE(ws->malformed, 0);
}

void tst_HubWs::snapshotGoesToTheAskingClientOnly()
{
    HubWsProcess hub;
    QVERIFY(startHub(hub));
    NanostateApp *app = openApp(hub, QStringLiteral("c-side"));
    QVERIFY(app);
    QVERIFY(app->setState(QStringLiteral("snap/x"), QStringLiteral("hello")));
    WsPeer *a = connectPeer(hub, QStringLiteral("a"));
    QVERIFY(a);
    QTRY_VERIFY_WITH_TIMEOUT(a->framesWithOp(WireFrame::Heartbeat) > 0, timeoutMs);

    WsPeer *b = connectPeer(hub, QStringLiteral("b"), true);
    QVERIFY(b);
    QTRY_VERIFY_WITH_TIMEOUT(b->synced, timeoutMs);
    QVERIFY(b->table.contains(QStringLiteral("snap/x")));
    QCOMPARE(b->table.value(QStringLiteral("snap/x")).value, NanostateVariant::pack(QStringLiteral("hello")));
    QVERIFY(b->hasFrame([b](const WireFrame &f) {
        return f.op == WireFrame::Snapshot && f.session() == b->session();
    }));

    QVERIFY(marker(*app, *a, QStringLiteral("snap/marker")));
    QCOMPARE(a->framesWithOp(WireFrame::Snapshot), 0);
}

void tst_HubWs::senderGetsAckInsteadOfEcho()
{
    HubWsProcess hub;
    QVERIFY(startHub(hub));
    NanostateApp *app = openApp(hub, QStringLiteral("c-side"));
    QVERIFY(app);
    WsPeer *a = connectPeer(hub, QStringLiteral("a"));
    WsPeer *b = connectPeer(hub, QStringLiteral("b"));
    QVERIFY(a && b);

    const QByteArray value = NanostateVariant::pack(42);
    const quint64 aseq = a->sendSet(QStringLiteral("echo/x"), value);
    quint64 seq = 0;
    QTRY_VERIFY_WITH_TIMEOUT(b->hasFrame([&](const WireFrame &f) {
        if (f.op != WireFrame::Set || f.name != QLatin1String("echo/x"))
            return false;
        seq = f.seq();
        return true;
    }),
                             timeoutMs);
    QVERIFY(seq > 0);
    QTRY_VERIFY_WITH_TIMEOUT(a->hasFrame([&](const WireFrame &f) {
        return f.op == WireFrame::Ack && f.session() == a->session() && f.field(1) == aseq
            && f.field(2) == aseq && f.field(3) == seq;
    }),
                             timeoutMs);
    QTRY_COMPARE_WITH_TIMEOUT(appValue(*app, QStringLiteral("echo/x")), value, timeoutMs);

    QVERIFY(marker(*app, *a, QStringLiteral("echo/marker")));
    QCOMPARE(a->framesNamed(QStringLiteral("echo/x")), 0);
}

void tst_HubWs::originalStyleFrameIsAccepted()
{
    HubWsProcess hub;
    QVERIFY(startHub(hub));
    NanostateApp *app = openApp(hub, QStringLiteral("c-side"));
    QVERIFY(app);
    WsPeer *old = connectPeer(hub, QStringLiteral("old-browser"));
    WsPeer *b = connectPeer(hub, QStringLiteral("b"));
    QVERIFY(old && b);

    // An original browser App sends its value as a str.
    const QByteArray value = WireFrame::packStr(QStringLiteral("manual"));
    old->sendLegacy(QStringLiteral("robot/mode"), value);
    QTRY_VERIFY_WITH_TIMEOUT(b->hasFrame([&](const WireFrame &f) {
        return f.op == WireFrame::Set && f.name == QLatin1String("robot/mode")
            && f.sender == QLatin1String("old-browser") && f.value == value && f.field(0) == 0
            && f.field(1) == 0 && f.field(2) > 0;
    }),
                             timeoutMs);
    QTRY_COMPARE_WITH_TIMEOUT(appValue(*app, QStringLiteral("robot/mode")), value, timeoutMs);

    // No echo, no ACK for the original App; and it reads elements 0..2 of
    // what it gets, which are there in every frame.
    QVERIFY(marker(*app, *old, QStringLiteral("old/marker")));
    QCOMPARE(old->framesNamed(QStringLiteral("robot/mode")), 0);
    QCOMPARE(old->framesWithOp(WireFrame::Ack), 0);
    QCOMPARE(old->malformed, 0);
}

void tst_HubWs::textMessageClosesWith1003()
{
    HubWsProcess hub;
    QVERIFY(startHub(hub));
    WsPeer *a = connectPeer(hub, QStringLiteral("a"));
    QVERIFY(a);
    a->socket()->sendTextMessage(QStringLiteral("[\"a\",\"b\",\"c\"]"));
    QTRY_COMPARE_WITH_TIMEOUT(a->socket()->state(), QAbstractSocket::UnconnectedState, timeoutMs);
    QCOMPARE(int(a->socket()->closeCode()), 1003);
}

void tst_HubWs::staticFilesAreServed()
{
    const QString root = scratch() + QStringLiteral("/webroot");
    QVERIFY(QDir().mkpath(root + QStringLiteral("/sub")));
    const QByteArray page = "<!DOCTYPE html><title>monitor</title>";
    const QByteArray script = "export const nanostate = 1;\n";
    QVERIFY(writeFile(root + QStringLiteral("/index.html"), page));
    QVERIFY(writeFile(root + QStringLiteral("/nanostate.js"), script));
    QVERIFY(writeFile(root + QStringLiteral("/sub/style.css"), "body{}"));
    QVERIFY(writeFile(root + QStringLiteral("/.hidden"), "no"));
    QVERIFY(writeFile(scratch() + QStringLiteral("/secret.txt"), "secret"));

    HubWsProcess hub;
    QVERIFY(startHub(hub, {QStringLiteral("--web-root"), root}));
    QByteArray r = RawHttp::get("/", hub.wsPort());
    QCOMPARE(RawHttp::status(r), 200);
    QCOMPARE(RawHttp::header(r, "content-type"), QByteArray("text/html; charset=utf-8"));
    QCOMPARE(RawHttp::body(r), page);
    r = RawHttp::get("/nanostate.js", hub.wsPort());
    QCOMPARE(RawHttp::status(r), 200);
    QVERIFY(RawHttp::header(r, "content-type").startsWith("text/javascript"));
    QCOMPARE(RawHttp::body(r), script);
    r = RawHttp::get("/sub/style.css", hub.wsPort());
    QCOMPARE(RawHttp::status(r), 200);
    QVERIFY(RawHttp::header(r, "content-type").startsWith("text/css"));

    for (const char *target : {"/../secret.txt", "/%2e%2e/secret.txt", "/sub/../../secret.txt",
                               "/..%2fsecret.txt", "/sub/%2e%2e%2f%2e%2e%2fsecret.txt", "/.hidden",
                               "/missing.js", "/sub", "//etc/passwd", "/%00"}) {
        r = RawHttp::get(target, hub.wsPort());
        QVERIFY2(RawHttp::status(r) == 404, target);
        QVERIFY2(!r.contains("secret"), target);
    }
    r = RawHttp::exchange(hub.wsPort(), "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n");
    QCOMPARE(RawHttp::status(r), 405);
    r = RawHttp::get("/ws", hub.wsPort()); // not an upgrade
    QCOMPARE(RawHttp::status(r), 426);
}

void tst_HubWs::builtinPageWithoutWebRoot()
{
    HubWsProcess hub;
    QVERIFY(startHub(hub, {QStringLiteral("--web-root"), scratch() + QStringLiteral("/no-such-dir")}));
    QByteArray r = RawHttp::get("/", hub.wsPort());
    QCOMPARE(RawHttp::status(r), 200);
    QVERIFY(RawHttp::body(r).contains("web root is missing"));
    QCOMPARE(RawHttp::status(RawHttp::get("/nanostate.js", hub.wsPort())), 404);
}

void tst_HubWs::originIsChecked_data()
{
    QTest::addColumn<QString>("origin"); // %1: the hub's port
    QTest::addColumn<QStringList>("extra");
    QTest::addColumn<int>("status");
    const QStringList none;
    QTest::newRow("no Origin: not a browser") << QString() << none << 101;
    QTest::newRow("own page, 127.0.0.1") << QStringLiteral("http://127.0.0.1:%1") << none << 101;
    QTest::newRow("own page, localhost") << QStringLiteral("http://localhost:%1") << none << 101;
    QTest::newRow("own page, [::1]") << QStringLiteral("http://[::1]:%1") << none << 101;
    QTest::newRow("another site") << QStringLiteral("http://evil.example") << none << 403;
    QTest::newRow("another port") << QStringLiteral("http://127.0.0.1:1") << none << 403;
    QTest::newRow("https, plain hub") << QStringLiteral("https://127.0.0.1:%1") << none << 403;
    QTest::newRow("null") << QStringLiteral("null") << none << 403;
    const QStringList allow{QStringLiteral("--allow-origin"), QStringLiteral("https://app.example:8443")};
    QTest::newRow("allowed one") << QStringLiteral("https://app.example:8443") << allow << 101;
    QTest::newRow("own page, when others are listed")
        << QStringLiteral("http://127.0.0.1:%1") << allow << 403;
    QTest::newRow("any") << QStringLiteral("http://evil.example")
                         << QStringList{QStringLiteral("--allow-origin"), QStringLiteral("*")} << 101;
}

void tst_HubWs::originIsChecked()
{
    QFETCH(QString, origin);
    QFETCH(QStringList, extra);
    QFETCH(int, status);
    HubWsProcess hub;
    QVERIFY(startHub(hub, extra));
    origin.replace(QLatin1String("%1"), QString::number(hub.wsPort()));
    const QByteArray header = origin.isEmpty() ? QByteArray() : "Origin: " + origin.toUtf8() + "\r\n";
    const QByteArray r = RawHttp::exchange(hub.wsPort(), RawHttp::upgrade("/ws", hub.wsPort(), header));
    QCOMPARE(RawHttp::status(r), status);

    // A QWebSocket sending that origin fares alike.
    auto *peer = new WsPeer(QStringLiteral("o"));
    owned.append(peer);
    peer->open(wsRequest(hub.wsUrl()), origin);
    QCOMPARE(peer->waitConnected(timeoutMs), status == 101);
}

void tst_HubWs::tokenIsRequired_data()
{
    QTest::addColumn<QByteArray>("target");
    QTest::addColumn<QByteArray>("header");
    QTest::addColumn<int>("status");
    QTest::newRow("none") << QByteArray("/ws") << QByteArray() << 401;
    QTest::newRow("wrong in the URL") << QByteArray("/ws?token=guess") << QByteArray() << 401;
    QTest::newRow("empty in the URL") << QByteArray("/ws?token=") << QByteArray() << 401;
    QTest::newRow("right in the URL") << QByteArray("/ws?token=s3cr%65t") << QByteArray() << 101;
    QTest::newRow("wrong header") << QByteArray("/ws") << QByteArray("Authorization: Bearer guess\r\n") << 401;
    QTest::newRow("right header") << QByteArray("/ws") << QByteArray("Authorization: Bearer s3cret\r\n") << 101;
    QTest::newRow("not Bearer") << QByteArray("/ws") << QByteArray("Authorization: Basic s3cret\r\n") << 401;
}

void tst_HubWs::tokenIsRequired()
{
    QFETCH(QByteArray, target);
    QFETCH(QByteArray, header);
    QFETCH(int, status);
    HubWsProcess hub;
    QVERIFY(startHub(hub, {QStringLiteral("--token"), QStringLiteral("s3cret")}));
    const QByteArray r = RawHttp::exchange(hub.wsPort(), RawHttp::upgrade(target, hub.wsPort(), header));
    QCOMPARE(RawHttp::status(r), status);
    if (status == 401)
        QVERIFY(RawHttp::header(r, "www-authenticate").startsWith("Bearer"));
    // The page is served without the token.
    QCOMPARE(RawHttp::status(RawHttp::get("/", hub.wsPort())), 200);

    // QWebSocket with the token in a header works and gets frames.
    auto *peer = new WsPeer(QStringLiteral("t"));
    owned.append(peer);
    QNetworkRequest request(hub.wsUrl());
    request.setRawHeader("Authorization", "Bearer s3cret");
    peer->open(request);
    QVERIFY(peer->waitConnected(timeoutMs));
    QTRY_VERIFY_WITH_TIMEOUT(peer->framesWithOp(WireFrame::Heartbeat) > 0, timeoutMs);
}

void tst_HubWs::tlsServesWssAndHttps()
{
    if (!QSslSocket::supportsSsl())
        QSKIP("Qt has no TLS backend here");
    const QString openssl = QStandardPaths::findExecutable(QStringLiteral("openssl"));
    if (openssl.isEmpty())
        QSKIP("the openssl tool is not installed (Debian: openssl)");
    const QString cert = scratch() + QStringLiteral("/hub-cert.pem");
    const QString key = scratch() + QStringLiteral("/hub-key.pem");
    QProcess gen;
    gen.setProcessChannelMode(QProcess::MergedChannels);
    gen.start(openssl, {QStringLiteral("req"), QStringLiteral("-x509"), QStringLiteral("-newkey"),
                        QStringLiteral("rsa:2048"), QStringLiteral("-nodes"), QStringLiteral("-keyout"),
                        key, QStringLiteral("-out"), cert, QStringLiteral("-days"),
                        QStringLiteral("2"), QStringLiteral("-subj"), QStringLiteral("/CN=127.0.0.1"),
                        QStringLiteral("-addext"),
                        QStringLiteral("subjectAltName=IP:127.0.0.1,DNS:localhost")});
    QVERIFY(gen.waitForFinished(30000));
    QVERIFY2(gen.exitCode() == 0, gen.readAll().constData());

    HubWsProcess hub;
    QVERIFY(startHub(hub, {QStringLiteral("--cert"), cert, QStringLiteral("--key"), key}));
    QVERIFY(hub.log().contains("wss://"));
    QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
    tls.setCaCertificates(QSslCertificate::fromPath(cert));

    // https:// page
    const QByteArray r = RawHttp::exchange(hub.wsPort(), "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", tls);
    QCOMPARE(RawHttp::status(r), 200);

    // wss:// both ways with a nanomsg App
    NanostateApp *app = openApp(hub, QStringLiteral("c-side"));
    QVERIFY(app);
    auto *peer = new WsPeer(QStringLiteral("secure"));
    owned.append(peer);
    peer->socket()->setSslConfiguration(tls);
    peer->open(wsRequest(hub.wsUrl(QStringLiteral("wss"))));
    QVERIFY(peer->waitConnected(timeoutMs));
    const QByteArray value = WireFrame::packBin(randomBytes(300000));
    peer->sendSet(QStringLiteral("tls/x"), value);
    QTRY_VERIFY_WITH_TIMEOUT(appValue(*app, QStringLiteral("tls/x")) == value, timeoutMs);
    QVERIFY(marker(*app, *peer, QStringLiteral("tls/marker")));

    // Plain ws:// to the TLS port gets nowhere.
    auto *plain = new WsPeer(QStringLiteral("plain"));
    owned.append(plain);
    plain->open(wsRequest(hub.wsUrl()));
    QVERIFY(!plain->waitConnected(2000));
}

void tst_HubWs::oversizeFrameClosesOnlyThatClient()
{
    HubWsProcess hub;
    QVERIFY(startHub(hub, {QStringLiteral("--max-frame"), QStringLiteral("65536")}));
    NanostateApp *app = openApp(hub, QStringLiteral("c-side"));
    QVERIFY(app);
    WsPeer *big = connectPeer(hub, QStringLiteral("big"));
    WsPeer *other = connectPeer(hub, QStringLiteral("other"));
    QVERIFY(big && other);

    big->sendSet(QStringLiteral("too/big"), WireFrame::packBin(QByteArray(100 * 1024, 'x')));
    QTRY_COMPARE_WITH_TIMEOUT(big->socket()->state(), QAbstractSocket::UnconnectedState, timeoutMs);
    QCOMPARE(int(big->socket()->closeCode()), 1009);

    QVERIFY(other->isConnected());
    QVERIFY(marker(*app, *other, QStringLiteral("after/big")));
    // A frame just under the limit still passes.
    const QByteArray fits = WireFrame::packBin(QByteArray(60000, 'y'));
    other->sendSet(QStringLiteral("fits"), fits);
    QTRY_COMPARE_WITH_TIMEOUT(appValue(*app, QStringLiteral("fits")), fits, timeoutMs);
    QVERIFY(!app->hasState(QStringLiteral("too/big")));
}

void tst_HubWs::slowClientIsConflatedNotDropped()
{
    const int stallMs = 2000;
    HubWsProcess hub;
    QVERIFY(startHub(hub, {QStringLiteral("--stall-timeout"), QString::number(stallMs)}));
    NanostateApp *app = openApp(hub, QStringLiteral("c-side"));
    QVERIFY(app);
    WsPeer *reader = connectPeer(hub, QStringLiteral("reader"), true);
    QVERIFY(reader);
    QTRY_VERIFY_WITH_TIMEOUT(reader->synced, timeoutMs);
    reader->setKeepFrames(false);
    StalledClient stalled;
    QByteArray why;
    QVERIFY2(stalled.open(hub.wsPort(), &why), why.constData());
    WsPeer *publisher = connectPeer(hub, QStringLiteral("publisher"));
    QVERIFY(publisher);
    publisher->setKeepFrames(false);

    const qint64 baseline = hub.residentKiB();
    qint64 peak = baseline;
    QTimer sampler;
    connect(&sampler, &QTimer::timeout, [&] { peak = qMax(peak, hub.residentKiB()); });
    sampler.start(20);

    // 10k updates over 100 names, 2 KiB each: 20 MB for every reader.
    const int updates = 10000, names = 100;
    QHash<QString, QByteArray> last;
    for (int i = 0; i < updates; ++i) {
        QByteArray body(2048, char('a' + i % 26));
        body.replace(0, 8, QByteArray::number(i).rightJustified(8, '0'));
        const QString name = QStringLiteral("flood/%1").arg(i % names);
        const QByteArray value = WireFrame::packBin(body);
        publisher->sendSet(name, value);
        last.insert(name, value);
    }
    QElapsedTimer flood;
    flood.start();
    auto readerHasAll = [&] {
        for (auto it = last.cbegin(); it != last.cend(); ++it) {
            if (reader->table.value(it.key()).value != it.value())
                return false;
        }
        return true;
    };
    auto appHasAll = [&] {
        for (auto it = last.cbegin(); it != last.cend(); ++it) {
            if (appValue(*app, it.key()) != it.value())
                return false;
        }
        return true;
    };
    QTRY_VERIFY_WITH_TIMEOUT(readerHasAll(), 60000);
    const qint64 readerMs = flood.elapsed();
    QTRY_VERIFY_WITH_TIMEOUT(appHasAll(), 60000);
    const qint64 appMs = flood.elapsed();

    // The stalled client is paused once the network buffers in front of it
    // are full (however fast the hub drained the flood into them) and, past
    // the stall timeout, closed. Traffic goes on until then.
    QTimer traffic;
    int extra = 0;
    connect(&traffic, &QTimer::timeout, [&] {
        publisher->sendSet(QStringLiteral("flood/extra"),
                           WireFrame::packBin(QByteArray(16384, char(extra++))));
    });
    traffic.start(5);
    QVERIFY(hub.waitForLog("stalled", stallMs + 30000));
    traffic.stop();
    const qint64 afterFlood = hub.residentKiB();
    sampler.stop();
    qint64 messages = 0, bytes = 0;
    const int code = stalled.readUntilClosed(stallMs + 5000, &messages, &bytes);
    QCOMPARE(code, 1013);
    QVERIFY(hub.log().contains(QByteArray("paused for ") + QByteArray::number(stallMs) + " ms"));
    QVERIFY(reader->isConnected() && publisher->isConnected());

    qInfo("hub RSS: %lld KiB before the flood, peak %lld KiB during it, %lld KiB after; "
          "the stalled client held %lld messages (%lld bytes) when closed; reader had all final "
          "values after %lld ms, the nanomsg App after %lld ms",
          baseline, peak, afterFlood, messages, bytes, readerMs, appMs);
    // Bounded: 20 MB went to each of three readers; the stalled one may cost
    // the hub about --max-queue plus a frame, not the flood.
    if (hub.isSanitized())
        qInfo("the hub runs with AddressSanitizer: its RSS is not checked");
    else
        QVERIFY2(peak - baseline < 48 * 1024,
                 qPrintable(QStringLiteral("RSS grew by %1 KiB").arg(peak - baseline)));
    QVERIFY(bytes < 20 * 1024 * 1024);
}

void tst_HubWs::connectionCapAnswers503()
{
    HubWsProcess hub;
    QVERIFY(startHub(hub, {QStringLiteral("--max-clients"), QStringLiteral("2")}));
    WsPeer *a = connectPeer(hub, QStringLiteral("a"));
    WsPeer *b = connectPeer(hub, QStringLiteral("b"));
    QVERIFY(a && b);
    QByteArray r = RawHttp::exchange(hub.wsPort(), RawHttp::upgrade("/ws", hub.wsPort()));
    QCOMPARE(RawHttp::status(r), 503);
    QCOMPARE(RawHttp::status(RawHttp::get("/", hub.wsPort())), 503);
    a->socket()->close();
    QTRY_COMPARE_WITH_TIMEOUT(
        RawHttp::status(RawHttp::exchange(hub.wsPort(), RawHttp::upgrade("/ws", hub.wsPort()))), 101,
        timeoutMs);
}

void tst_HubWs::hubFiguresReachWsClients()
{
    HubWsProcess hub;
    QVERIFY(startHub(hub, {QStringLiteral("--stats=100")}));
    NanostateApp *app = openApp(hub, QStringLiteral("c-side"));
    QVERIFY(app);
    WsPeer *a = connectPeer(hub, QStringLiteral("a"), true);
    QVERIFY(a);
    auto figure = [a](const char *name) {
        const WireFrame::Entry e = a->table.value(QString::fromLatin1(name));
        return e.value.isEmpty() ? -1 : NanostateVariant::unpack(e.value).toInt();
    };
    QTRY_VERIFY_WITH_TIMEOUT(figure("$hub/clients/other") == 1, timeoutMs);
    QTRY_VERIFY_WITH_TIMEOUT(figure("$hub/clients/nanomsg") == 1, timeoutMs);
    QTRY_VERIFY_WITH_TIMEOUT(figure("$hub/clients") == 2, timeoutMs);
    QVERIFY(figure("$hub/uptime_s") >= 0);
    QVERIFY(a->table.contains(QStringLiteral("$hub/messages_in_per_s")));
}

void tst_HubWs::stateFileSurvivesRestart()
{
    const QString file = scratch() + QStringLiteral("/hubws-state.msgpack");
    QFile::remove(file);
    const QByteArray value = WireFrame::packBin(randomBytes(5000));
    {
        HubWsProcess hub;
        QVERIFY(startHub(hub, {QStringLiteral("--state-file"), file}));
        WsPeer *a = connectPeer(hub, QStringLiteral("a"));
        QVERIFY(a);
        a->sendSet(QStringLiteral("kept/x"), value);
        QTRY_VERIFY_WITH_TIMEOUT(a->framesWithOp(WireFrame::Ack) == 1, timeoutMs);
        hub.stop();
        QCOMPARE(hub.exitCode(), 0);
    }
    HubWsProcess hub;
    QVERIFY(startHub(hub, {QStringLiteral("--state-file"), file}));
    WsPeer *b = connectPeer(hub, QStringLiteral("b"), true);
    QVERIFY(b);
    QTRY_VERIFY_WITH_TIMEOUT(b->synced, timeoutMs);
    QCOMPARE(b->table.value(QStringLiteral("kept/x")).value, value);
    QCOMPARE(b->table.value(QStringLiteral("kept/x")).sender, QStringLiteral("a"));
}

void tst_HubWs::silentOrHugeHeadIsDropped()
{
    HubWsProcess hub;
    QVERIFY(startHub(hub, {QStringLiteral("--head-timeout"), QStringLiteral("300")}));
    QTcpSocket silent;
    silent.connectToHost(QStringLiteral("127.0.0.1"), hub.wsPort());
    QVERIFY(silent.waitForConnected(timeoutMs));
    QTRY_COMPARE_WITH_TIMEOUT(silent.state(), QAbstractSocket::UnconnectedState, 5000);

    QTcpSocket huge;
    huge.connectToHost(QStringLiteral("127.0.0.1"), hub.wsPort());
    QVERIFY(huge.waitForConnected(timeoutMs));
    huge.write("GET / HTTP/1.1\r\nX-Padding: " + QByteArray(20000, 'a'));
    QTRY_COMPARE_WITH_TIMEOUT(huge.state(), QAbstractSocket::UnconnectedState, 5000);
    QVERIFY(hub.log().contains("dropped"));

    // A slow but complete head is fine.
    QCOMPARE(RawHttp::status(RawHttp::get("/", hub.wsPort())), 200);
}

void tst_HubWs::configFileAndFlags()
{
    const QString conf = scratch() + QStringLiteral("/hubws.conf");
    {
        QFile f(conf);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("# a comment\n"
                "token = fromfile\n"
                "allow-origin = https://a.example\n"
                "headless = true\n"
                "max-clients = 100\n");
    }
    HubWsProcess hub;
    QVERIFY(startHub(hub, {QStringLiteral("-c"), conf, QStringLiteral("--token"), QStringLiteral("fromflag")}));
    auto status = [&](const QByteArray &target, const QByteArray &header = QByteArray()) {
        return RawHttp::status(RawHttp::exchange(hub.wsPort(), RawHttp::upgrade(target, hub.wsPort(), header)));
    };
    QCOMPARE(status("/ws?token=fromflag"), 101);
    QCOMPARE(status("/ws?token=fromfile"), 401);
    QCOMPARE(status("/ws?token=fromflag", "Origin: https://a.example\r\n"), 101);
    QCOMPARE(status("/ws?token=fromflag", "Origin: https://b.example\r\n"), 403);

    {
        QFile f(conf);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("ws-port = 15001\nno-such-key = 1\n");
    }
    QByteArray out;
    QCOMPARE(HubWsProcess::run({QStringLiteral("-c"), conf}, &out), 2);
    QVERIFY2(out.contains(":2: unknown key 'no-such-key'"), out.constData());
}

void tst_HubWs::exampleConfigListsEveryOption()
{
    const QString source = qEnvironmentVariable("NANOSTATE_SOURCE");
    const QString example = source + QStringLiteral("/hubws-qt/nanostate-hubws.conf.example");
    if (source.isEmpty() || !QFileInfo::exists(example))
        QSKIP("NANOSTATE_SOURCE is not set (tests/run sets it)");
    QFile f(example);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QList<QByteArray> lines = f.readAll().split('\n');

    // Every option of --help has a commented `#key = default` line.
    QByteArray help;
    QCOMPARE(HubWsProcess::run({QStringLiteral("--help")}, &help), 0);
    const QRegularExpression optionLine(QStringLiteral("^\\s+-"));
    const QRegularExpression longName(QStringLiteral("--([a-z][a-z-]+)"));
    int checked = 0;
    for (const QByteArray &line : help.split('\n')) {
        const QString text = QString::fromUtf8(line);
        if (text.startsWith(QLatin1String("MONITOR WINDOW")))
            break; // the window's options are for the command line only
        if (!optionLine.match(text).hasMatch())
            continue;
        auto it = longName.globalMatch(text);
        while (it.hasNext()) {
            const QString name = it.next().captured(1);
            if (name == QLatin1String("help") || name == QLatin1String("config"))
                continue;
            const QByteArray key = "#" + name.toUtf8() + " =";
            const bool found = std::any_of(lines.cbegin(), lines.cend(),
                                           [&](const QByteArray &l) { return l.startsWith(key); });
            QVERIFY2(found, qPrintable(QStringLiteral("no '#%1 = ...' line").arg(name)));
            ++checked;
        }
    }
    QVERIFY(checked >= 19);

    // Uncommented as it is, it is a valid configuration (the test's own
    // ports and the like override it from the command line).
    QByteArray config;
    for (const QByteArray &line : lines) {
        if (QRegularExpression(QStringLiteral("^#[a-z-]+ =")).match(QString::fromUtf8(line)).hasMatch()
            && !line.startsWith("#allow-origin"))
            config += line.mid(1) + '\n';
    }
    const QString file = scratch() + QStringLiteral("/example.conf");
    QFile out(file);
    QVERIFY(out.open(QIODevice::WriteOnly));
    out.write(config);
    out.close();
    HubWsProcess hub;
    QVERIFY(startHub(hub, {QStringLiteral("-c"), file}));
    QCOMPARE(RawHttp::status(RawHttp::exchange(hub.wsPort(), RawHttp::upgrade("/ws", hub.wsPort()))), 101);
}

void tst_HubWs::readOnlyRefusesWritesWhileReadsFlow()
{
    HubWsProcess hub;
    QVERIFY(startHub(hub, {QStringLiteral("--read-only-ws"), QStringLiteral("--stats=100")}));
    QVERIFY(hub.waitForLog("WebSocket clients are read-only (--read-only-ws)"));
    NanostateApp *app = openApp(hub, QStringLiteral("c-side"));
    QVERIFY(app);
    const QByteArray mine = NanostateVariant::pack(QStringLiteral("mine"));
    QVERIFY(app->setState(QStringLiteral("app/owned"), QStringLiteral("mine")));
    QVERIFY(app->setState(QStringLiteral("app/kept"), 1));
    QVERIFY(settle(*app));

    // SYNC passes: the reader gets the table.
    WsPeer *reader = connectPeer(hub, QStringLiteral("reader"), true);
    QVERIFY(reader);
    QTRY_VERIFY_WITH_TIMEOUT(reader->synced, timeoutMs);
    QCOMPARE(reader->table.value(QStringLiteral("app/owned")).value, mine);
    // Something that is no frame at all is dropped, and the client stays.
    reader->socket()->sendBinaryMessage(QByteArray("\xc1", 1));
    // An op in a wider encoding than needed is read as well (cd 00 03 and
    // d0 03: SYNC).
    for (const QByteArray &op : {QByteArray("\xcd\x00\x03", 3), QByteArray("\xd0\x03", 2)}) {
        const quint64 session = 1000 + quint64(op.size());
        reader->socket()->sendBinaryMessage(
            WireFrame::packArrayHeader(7) + WireFrame::packStr(QStringLiteral("wide"))
            + WireFrame::packStr(QString()) + WireFrame::packBin(QByteArray()) + op
            + WireFrame::packUint(session) + WireFrame::packUint(0) + WireFrame::packUint(0));
        QTRY_VERIFY_WITH_TIMEOUT(reader->hasFrame([&](const WireFrame &f) {
            return f.op == WireFrame::Snapshot && f.session() == session;
        }),
                                 timeoutMs);
    }

    // SET, DEL, an original App's set and PING: each closes its sender
    // with 1008 and changes nothing.
    WsPeer *setter = connectPeer(hub, QStringLiteral("setter"));
    WsPeer *deleter = connectPeer(hub, QStringLiteral("deleter"));
    WsPeer *old = connectPeer(hub, QStringLiteral("old-browser"));
    WsPeer *pinger = connectPeer(hub, QStringLiteral("pinger"));
    QVERIFY(setter && deleter && old && pinger);
    setter->sendSet(QStringLiteral("app/owned"), WireFrame::packStr(QStringLiteral("theirs")));
    deleter->sendDel(QStringLiteral("app/kept"));
    old->sendLegacy(QStringLiteral("app/new"), WireFrame::packStr(QStringLiteral("x")));
    pinger->sendPing();
    const QList<QPair<WsPeer *, QString>> expected = {
        {setter, QStringLiteral("may not write app/owned")},
        {deleter, QStringLiteral("may not write app/kept")},
        {old, QStringLiteral("may not write app/new")},
        {pinger, QStringLiteral("may not send PING (it writes no state)")},
    };
    for (const auto &e : expected) {
        QTRY_COMPARE_WITH_TIMEOUT(e.first->socket()->state(), QAbstractSocket::UnconnectedState,
                                  timeoutMs);
        QCOMPARE(int(e.first->socket()->closeCode()), 1008);
        QCOMPARE(e.first->socket()->closeReason(), e.second);
        QCOMPARE(e.first->framesWithOp(WireFrame::Ack), 0);
    }

    // Reads still flow; neither the hub's table nor the App's changed.
    QVERIFY(marker(*app, *reader, QStringLiteral("after/refusals")));
    QVERIFY(reader->isConnected());
    QCOMPARE(reader->table.value(QStringLiteral("app/owned")).value, mine);
    QVERIFY(reader->table.contains(QStringLiteral("app/kept")));
    QVERIFY(!reader->table.value(QStringLiteral("app/kept")).removed);
    QVERIFY(!reader->table.contains(QStringLiteral("app/new")));
    QVERIFY(settle(*app));
    QCOMPARE(appValue(*app, QStringLiteral("app/owned")), mine);
    QVERIFY(app->hasState(QStringLiteral("app/kept")));
    QVERIFY(!app->hasState(QStringLiteral("app/new")));

    // Counted as rejected (the four refusals and the frame that was none),
    // and logged.
    QTRY_VERIFY_WITH_TIMEOUT(hub.output().contains(" rejected 5 |"), timeoutMs);
    QVERIFY(hub.waitForLog("may not write app/owned (it may write no name): refused"));
    QVERIFY(hub.waitForLog("a frame the hub cannot check dropped"));
}

void tst_HubWs::readOnlyClientCannotTakeOverAnAppsSession()
{
    HubWsProcess hub;
    QVERIFY(startHub(hub, {QStringLiteral("--read-only-ws")}));
    NanostateApp *app = openApp(hub, QStringLiteral("robot"));
    QVERIFY(app);
    QVERIFY(app->setState(QStringLiteral("robot/cmd"), 1));
    QVERIFY(settle(*app));
    // Every reader learns the App's identity and session from the table.
    WsPeer *spy = connectPeer(hub, QStringLiteral("spy"), true);
    QVERIFY(spy);
    QTRY_VERIFY_WITH_TIMEOUT(spy->synced, timeoutMs);
    const WireFrame::Entry seen = spy->table.value(QStringLiteral("robot/cmd"));
    QCOMPARE(seen.sender, QStringLiteral("robot"));

    // A PING in that session, far ahead, would make the hub take the App's
    // next updates for stale duplicates (and tell the App they arrived).
    const quint64 farAhead = quint64(1) << 40;
    spy->socket()->sendBinaryMessage(WireFrame::numbered(WireFrame::Ping, seen.sender, QString(),
                                                         WireFrame::packBin(QByteArray()),
                                                         seen.session, farAhead, true));
    QTRY_COMPARE_WITH_TIMEOUT(spy->socket()->state(), QAbstractSocket::UnconnectedState, timeoutMs);
    QCOMPARE(int(spy->socket()->closeCode()), 1008);

    // The App's next update still goes through: a new reader's snapshot
    // holds it.
    QVERIFY(app->setState(QStringLiteral("robot/cmd"), 2));
    QVERIFY(settle(*app));
    WsPeer *late = connectPeer(hub, QStringLiteral("late"), true);
    QVERIFY(late);
    QTRY_VERIFY_WITH_TIMEOUT(late->synced, timeoutMs);
    QCOMPARE(late->table.value(QStringLiteral("robot/cmd")).value, NanostateVariant::pack(2));
}

void tst_HubWs::tokenPrefixesLimitWrites_data()
{
    QTest::addColumn<QStringList>("options");
    QTest::addColumn<QByteArray>("conf"); // a config file, if not empty
    QTest::addColumn<QString>("token");
    QTest::addColumn<bool>("viaHeader"); // else in the URL
    QTest::addColumn<int>("op");
    QTest::addColumn<QString>("name");
    QTest::addColumn<bool>("allowed");
    const int set = WireFrame::Set, del = WireFrame::Del, legacy = WireFrame::Legacy,
              ping = WireFrame::Ping, batch = WireFrame::Batch;
    const QStringList plain{QStringLiteral("--token"), QStringLiteral("plain")};
    const QStringList robot{QStringLiteral("--token"), QStringLiteral("r0bot:robot/,ui/")};
    const QStringList two{QStringLiteral("--token"), QStringLiteral("a-key:a/"),
                          QStringLiteral("--token"), QStringLiteral("b-key:b/")};
    const QStringList viewer{QStringLiteral("--token"), QStringLiteral("v1ew:")};
    const QByteArray none;
    const QByteArray twoInFile = "token = a-key:a/\ntoken = b-key:b/\n";
    const QString r = QStringLiteral("r0bot"), a = QStringLiteral("a-key");
    const QString b = QStringLiteral("b-key");

    QTest::newRow("plain token: SET anywhere") << plain << none << "plain" << false << set << "any/thing" << true;
    QTest::newRow("plain token: DEL anywhere") << plain << none << "plain" << true << del << "any/thing" << true;
    QTest::newRow("plain token: original set") << plain << none << "plain" << false << legacy << "any/thing" << true;
    QTest::newRow("prefixes: SET under the first") << robot << none << r << false << set << "robot/speed" << true;
    QTest::newRow("prefixes: SET under the second") << robot << none << r << true << set << "ui/theme" << true;
    QTest::newRow("prefixes: DEL under one") << robot << none << r << false << del << "robot/arm/angle" << true;
    QTest::newRow("prefixes: SET elsewhere") << robot << none << r << false << set << "config/mode" << false;
    QTest::newRow("prefixes: SET elsewhere, header") << robot << none << r << true << set << "config/mode" << false;
    QTest::newRow("prefixes: DEL elsewhere") << robot << none << r << false << del << "config/mode" << false;
    QTest::newRow("prefixes: original set elsewhere") << robot << none << r << false << legacy << "config/mode" << false;
    QTest::newRow("prefixes: the prefix without /") << robot << none << r << false << set << "robot" << false;
    QTest::newRow("prefixes: a longer word") << robot << none << r << false << set << "robots/x" << false;
    const QString longName = QStringLiteral("robot/") + QString(300, QLatin1Char('x')); // str16
    QTest::newRow("prefixes: long name under one") << robot << none << r << false << set << longName << true;
    QTest::newRow("prefixes: long name elsewhere") << robot << none << r << false << set << longName.mid(1) << false;
    QTest::newRow("prefixes: PING") << robot << none << r << false << ping << QString() << true;
    QTest::newRow("prefixes: BATCH, even under them") << robot << none << r << false << batch << "robot/speed" << false;
    QTest::newRow("TOKEN: writes nothing") << viewer << none << "v1ew" << false << set << "ui/x" << false;
    QTest::newRow("TOKEN: sends no PING") << viewer << none << "v1ew" << false << ping << QString() << false;
    QTest::newRow("plain token: PING") << plain << none << "plain" << false << ping << QString() << true;
    QTest::newRow("two tokens: a under a/") << two << none << a << false << set << "a/x" << true;
    QTest::newRow("two tokens: a under b/") << two << none << a << false << set << "b/x" << false;
    QTest::newRow("two tokens: b under b/") << two << none << b << true << set << "b/x" << true;
    QTest::newRow("two tokens: b under a/") << two << none << b << true << del << "a/x" << false;
    QTest::newRow("config file: b under b/") << QStringList() << twoInFile << b << false << set << "b/y" << true;
    QTest::newRow("config file: b under a/") << QStringList() << twoInFile << b << false << set << "a/y" << false;
    QTest::newRow("--read-only-ws beats a plain token")
        << (plain + QStringList{QStringLiteral("--read-only-ws")}) << none << "plain" << false << set
        << "any/thing" << false;
    QTest::newRow("read-only-ws in the config file")
        << QStringList() << QByteArray("token = plain\nread-only-ws = true\n") << "plain" << false
        << set << "any/thing" << false;
}

void tst_HubWs::tokenPrefixesLimitWrites()
{
    QFETCH(QStringList, options);
    QFETCH(QByteArray, conf);
    QFETCH(QString, token);
    QFETCH(bool, viaHeader);
    QFETCH(int, op);
    QFETCH(QString, name);
    QFETCH(bool, allowed);
    QVERIFY(addConfigFile(conf, QStringLiteral("tokens.conf"), &options));
    HubWsProcess hub;
    QVERIFY(startHub(hub, options));
    NanostateApp *app = openApp(hub, QStringLiteral("c-side"));
    QVERIFY(app);
    const QByteArray before = NanostateVariant::pack(QStringLiteral("before"));
    if (!name.isEmpty())
        QVERIFY(app->setState(name, QStringLiteral("before")));
    QVERIFY(settle(*app));
    // Tokens are still asked for.
    QCOMPARE(RawHttp::status(RawHttp::exchange(hub.wsPort(), RawHttp::upgrade("/ws?token=wrong", hub.wsPort()))),
             401);

    auto *peer = new WsPeer(QStringLiteral("writer"));
    owned.append(peer);
    QNetworkRequest request(hub.wsUrl(QStringLiteral("ws"),
                                      viaHeader ? QString() : QStringLiteral("token=") + token));
    if (viaHeader)
        request.setRawHeader("Authorization", "Bearer " + token.toUtf8());
    peer->open(request);
    QVERIFY(peer->waitConnected(timeoutMs));
    const QByteArray after = WireFrame::packStr(QStringLiteral("after"));
    QString reason = QStringLiteral("may not write ") + name.left(300); // the log cuts it there
    quint64 aseq = 0;
    switch (op) {
    case WireFrame::Set: peer->sendSet(name, after); break;
    case WireFrame::Del: peer->sendDel(name); break;
    case WireFrame::Legacy: peer->sendLegacy(name, after); break;
    case WireFrame::Ping:
        aseq = peer->sendPing();
        reason = QStringLiteral("may not send PING (it writes no state)");
        break;
    case WireFrame::Batch:
        peer->socket()->sendBinaryMessage(WireFrame::batch(
            peer->identity(), {WireFrame::set(peer->identity(), name, after, peer->session(), 1, true),
                               WireFrame::set(peer->identity(), name + QStringLiteral("/2"), after,
                                              peer->session(), 2, false)}));
        reason = QStringLiteral("may not send BATCH (send its frames one by one)");
        break;
    }

    if (allowed) {
        if (op == WireFrame::Ping)
            QTRY_VERIFY_WITH_TIMEOUT(peer->hasFrame([&](const WireFrame &f) {
                return f.op == WireFrame::Ack && f.session() == peer->session() && f.field(2) == aseq;
            }),
                                     timeoutMs);
        else if (op == WireFrame::Del)
            QTRY_VERIFY_WITH_TIMEOUT(!app->hasState(name), timeoutMs);
        else
            QTRY_COMPARE_WITH_TIMEOUT(appValue(*app, name), after, timeoutMs);
        QVERIFY(marker(*app, *peer, QStringLiteral("after/write")));
        QVERIFY(peer->isConnected());
        return;
    }
    QTRY_COMPARE_WITH_TIMEOUT(peer->socket()->state(), QAbstractSocket::UnconnectedState, timeoutMs);
    QCOMPARE(int(peer->socket()->closeCode()), 1008);
    // Cut to fit in a close frame (123 bytes).
    QCOMPARE(peer->socket()->closeReason(), QString::fromUtf8(reason.toUtf8().left(120)));
    QVERIFY(settle(*app));
    if (!name.isEmpty())
        QCOMPARE(appValue(*app, name), before);
    QVERIFY(!app->hasState(name + QStringLiteral("/2")));
    QVERIFY(hub.waitForLog(reason.toUtf8() + " (it may write "));
}

void tst_HubWs::badTokenOrReadOnlySyntaxExits2_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QByteArray>("conf"); // a config file given with -c, if not empty
    QTest::addColumn<QByteArray>("message");
    const QString token = QStringLiteral("--token");
    const QByteArray none;
    QTest::newRow("empty TOKEN") << QStringList{token, QStringLiteral(":robot/")} << none
                                 << QByteArray("--token: empty TOKEN (give TOKEN, or TOKEN:PREFIX");
    QTest::newRow("two commas") << QStringList{token, QStringLiteral("s3cr3t:robot/,,ui/")} << none
                                << QByteArray("--token: an empty prefix");
    QTest::newRow("comma at the end") << QStringList{token, QStringLiteral("s3cr3t:robot/,")} << none
                                      << QByteArray("--token: an empty prefix");
    QTest::newRow("space") << QStringList{token, QStringLiteral("s3cr3t:robot/, ui/")} << none
                           << QByteArray("--token: prefix ' ui/' starts or ends with a space");
    QTest::newRow("the hub's names") << QStringList{token, QStringLiteral("s3cr3t:$hub/")} << none
                                     << QByteArray("--token: prefix '$hub/': names starting with $ are the hub's");
    QTest::newRow("the same TOKEN twice")
        << QStringList{token, QStringLiteral("s3cr3t:a/"), token, QStringLiteral("s3cr3t")} << none
        << QByteArray("--token: the same TOKEN is given twice");
    QTest::newRow("--token without a value") << QStringList{token} << none
                                             << QByteArray("option '--token' needs a value");
    QTest::newRow("--read-only-ws with a value") << QStringList{QStringLiteral("--read-only-ws=yes")} << none
                                                 << QByteArray("option '--read-only-ws' takes no value");
    QTest::newRow("file: empty TOKEN") << QStringList() << QByteArray("# tokens\ntoken = :x\n")
                                       << QByteArray(":2: token: empty TOKEN");
    QTest::newRow("file: read-only-ws = maybe") << QStringList() << QByteArray("read-only-ws = maybe\n")
                                                << QByteArray(":1: read-only-ws: takes true or false");
    QTest::newRow("file: the same TOKEN twice")
        << QStringList() << QByteArray("token = s3cr3t:a/\ntoken = s3cr3t\n")
        << QByteArray("--token: the same TOKEN is given twice");
}

void tst_HubWs::badTokenOrReadOnlySyntaxExits2()
{
    QFETCH(QStringList, arguments);
    QFETCH(QByteArray, conf);
    QFETCH(QByteArray, message);
    QVERIFY(addConfigFile(conf, QStringLiteral("bad.conf"), &arguments));
    QByteArray out;
    QCOMPARE(HubWsProcess::run(arguments, &out), 2);
    QVERIFY2(out.contains(message), out.constData());
    QVERIFY2(out.contains("usage: nanostate-hubws"), out.constData());
    QVERIFY2(!out.contains("s3cr3t"), "an error message quotes a token");
}

void tst_HubWs::dollarNamesAreRefusedFromWs()
{
    HubWsProcess hub;
    QVERIFY(startHub(hub, {QStringLiteral("--stats=100")}));
    NanostateApp *app = openApp(hub, QStringLiteral("c-side"));
    QVERIFY(app);
    WsPeer *ws = connectPeer(hub, QStringLiteral("dollar"));
    QVERIFY(ws);
    QTRY_VERIFY_WITH_TIMEOUT(app->hasState(QStringLiteral("$hub/clients")), timeoutMs);
    const QByteArray forged = NanostateVariant::pack(999);
    ws->sendSet(QStringLiteral("$hub/clients"), forged);
    ws->sendLegacy(QStringLiteral("$mine"), forged);
    QVERIFY(hub.waitForLog("names starting with '$' are reserved for the hub"));
    // Dropped, not applied; the client stays (it is not a policy of ours,
    // but a rule of the protocol).
    QVERIFY(marker(*app, *ws, QStringLiteral("after/dollar")));
    QVERIFY(ws->isConnected());
    QVERIFY(settle(*app));
    QVERIFY(!app->hasState(QStringLiteral("$mine")));
    QVERIFY(appValue(*app, QStringLiteral("$hub/clients")) != forged);
    QVERIFY(!ws->hasFrame([](const WireFrame &f) { return f.op == WireFrame::Ack && f.seq() > 0; }));
}

void tst_HubWs::listensOnLoopbackUnlessAsked_data()
{
    QTest::addColumn<QStringList>("options");
    QTest::addColumn<QString>("address");
    // Tests stay on loopback: 127.0.0.2 shows that --ws-host decides.
    QTest::newRow("default") << QStringList() << QStringLiteral("127.0.0.1");
    QTest::newRow("localhost") << QStringList{QStringLiteral("--ws-host"), QStringLiteral("localhost")}
                               << QStringLiteral("127.0.0.1");
    QTest::newRow("another address, when asked")
        << QStringList{QStringLiteral("--ws-host"), QStringLiteral("127.0.0.2")} << QStringLiteral("127.0.0.2");
}

void tst_HubWs::listensOnLoopbackUnlessAsked()
{
    QFETCH(QStringList, options);
    QFETCH(QString, address);
    if (!QFileInfo::exists(QStringLiteral("/proc/net/tcp")))
        QSKIP("no /proc/net/tcp to read the listening sockets from");
    HubWsProcess hub;
    QVERIFY(startHub(hub, options));
    const QList<QHostAddress> listening = listeningAddresses(hub.wsPort());
    QCOMPARE(listening.size(), 1);
    QCOMPARE(listening.first(), QHostAddress(address));
    QVERIFY(listening.first().isLoopback());
    // The warning for a non-loopback address comes before this line.
    QVERIFY(hub.waitForLog("allowed origins:"));
    QVERIFY(!hub.log().contains("without --token"));
    QVERIFY(hub.log().contains("listening on ws://" + options.value(1, QStringLiteral("127.0.0.1")).toUtf8()));
}

QTEST_MAIN(tst_HubWs)
#include "tst_hubws.moc"
