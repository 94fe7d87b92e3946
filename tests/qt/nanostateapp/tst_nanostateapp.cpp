// SPDX-License-Identifier: MIT
// NanostateApp against real nanostate-hub processes: every test starts its
// own hub (and, for the exchange tests, C Apps as separate processes).
#include <hubprocess.h>
#include <nanostateapp.h>
#include <nanostatevariant.h>
#include <variantcompare.h>

#include <QtCore/QDateTime>
#include <QtCore/QDeadlineTimer>
#include <QtCore/QElapsedTimer>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtCore/QMetaProperty>
#include <QtCore/QMutex>
#include <QtCore/QPointF>
#include <QtCore/QScopeGuard>
#include <QtCore/QThread>
#include <QtTest/QSignalSpy>
#include <QtTest/QtTest>

#include <climits>
#include <limits>
#include <memory>

namespace {

// Bound for anything that should happen "soon": connect, sync, delivery.
const int timeoutMs = 5000;
// The hub is declared lost after two heartbeat periods without a frame; the
// last heartbeat may have come just before the kill, and timers need a moment.
const int lossBoundMs = 2 * HubProcess::heartbeatMs + 300;

// Sets an environment variable for a scope, restoring it afterwards.
class EnvGuard
{
public:
    EnvGuard(const char *name, const QByteArray &value, bool set)
        : name(name), saved(qgetenv(name)), wasSet(qEnvironmentVariableIsSet(name))
    {
        set ? qputenv(name, value) : qunsetenv(name);
    }
    ~EnvGuard() { wasSet ? qputenv(name, saved) : qunsetenv(name); }

private:
    const char *name;
    QByteArray saved;
    bool wasSet;
};

NanostateExt ext(int type, const QByteArray &data)
{
    NanostateExt e;
    e.type = type;
    e.data = data;
    return e;
}

QDateTime utc(qint64 msecs)
{
    return QDateTime::fromMSecsSinceEpoch(msecs, Qt::UTC);
}

// How many stateUpdated emissions a spy recorded for name.
int countFor(const QSignalSpy &spy, const QString &name)
{
    int n = 0;
    for (const QList<QVariant> &args : spy)
        n += args.at(0).toString() == name;
    return n;
}

// A helper or tool run to its end (at most 15 s) by run().
struct ProcessResult
{
    bool finished = false;
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
};

ProcessResult run(const QString &program, const QStringList &args)
{
    QProcess p;
    p.setStandardInputFile(QProcess::nullDevice());
    p.start(program, args);
    ProcessResult r;
    r.finished = p.waitForFinished(3 * timeoutMs) && p.exitStatus() == QProcess::NormalExit;
    if (!r.finished) {
        p.kill();
        p.waitForFinished();
    }
    r.exitCode = p.exitCode();
    r.out = p.readAllStandardOutput();
    r.err = p.readAllStandardError();
    return r;
}

QString describe(const ProcessResult &r)
{
    return QStringLiteral("finished %1, exit %2, stdout \"%3\", stderr \"%4\"")
            .arg(r.finished)
            .arg(r.exitCode)
            .arg(QString::fromUtf8(r.out.trimmed()), QString::fromUtf8(r.err.trimmed()));
}

// What the worker-thread test records from slots run in the worker.
struct ThreadLog
{
    QMutex mutex;
    QList<QThread *> connectedThreads;
    QList<bool> connectedValues;
    QList<QThread *> updateThreads;
    QVariantMap updates;
};

} // namespace

class tst_NanostateApp : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();

    void errorOccurredQueued(); // first: before the test registers NanostateApp::Error
    void defaults_data();
    void defaults();
    void propertiesNotify();
    void openAndClose();
    void invalidUrl_data();
    void invalidUrl();
    void invalidName_data();
    void invalidName();
    void unsupportedValue_data();
    void unsupportedValue();
    void notOpen_data();
    void notOpen();

    void connectionLossAndNewHub_data();
    void connectionLossAndNewHub();
    void lateJoinerGetsSnapshot();
    void twoAppsSyncBothWays();
    void equalValueIsNoChange_data();
    void equalValueIsNoChange();
    void noEchoLoop_data();
    void noEchoLoop();
    void waitForAcceptedSendsABurstWithoutEventLoop();
    void stateRemoved_data();
    void stateRemoved();
    void statesChanged();

    void cAppToQtApp_data();
    void cAppToQtApp();
    void qtAppToCApp_data();
    void qtAppToCApp();
    void cliToQtApp_data();
    void cliToQtApp();
    void qtAppToCli_data();
    void qtAppToCli();

    void workerThread();
    void closeInsideStateUpdated_data();
    void closeInsideStateUpdated();

private:
    // An App on this test's hub, open and holding the hub's table.
    std::unique_ptr<NanostateApp> openApp(const QString &identity);
    // Sets name on `from` and waits until `to` has the value: whatever `from`
    // sent before has reached `to` too (the hub forwards in order).
    bool barrier(NanostateApp *from, NanostateApp *to, const QString &name);
    // Blocks (no event loop) until the hub's value of name reads as text,
    // asking it through the C helper.
    bool hubHas(const QString &name, const QString &text);
    void exchangeTable();

    HubProcess hub;
    QString url;
    int hubCount = 0;
    int barrierCount = 0;
};

void tst_NanostateApp::initTestCase()
{
    const QString hubPath = HubProcess::toolPath(QStringLiteral("nanostate-hub"));
    QVERIFY2(QFileInfo(hubPath).isExecutable(),
             qPrintable(hubPath + QStringLiteral(" missing: set NANOSTATE_BIN")));
    QVERIFY(QFileInfo(HubProcess::helperPath(QStringLiteral("capp"))).isExecutable());
}

void tst_NanostateApp::init()
{
    // QSignalSpy and queued connections need the enum registered; the test
    // that checks whether NanostateApp does it itself must run before this.
    if (qstrcmp(QTest::currentTestFunction(), "errorOccurredQueued") != 0)
        qRegisterMetaType<NanostateApp::Error>();
    // A hub of its own for every test and row, on a fresh socket.
    url = HubProcess::ipcUrl(QStringLiteral("hub%1").arg(++hubCount));
    QString why;
    QVERIFY2(hub.start(url, &why), qPrintable(why));
}

void tst_NanostateApp::cleanup()
{
    hub.stop();
}

std::unique_ptr<NanostateApp> tst_NanostateApp::openApp(const QString &identity)
{
    auto app = std::make_unique<NanostateApp>(url, identity);
    if (!app->open())
        qWarning("cannot open %s: %s", qPrintable(url), qPrintable(app->errorString()));
    else if (!QTest::qWaitFor([&] { return app->isSynced(); }, timeoutMs))
        qWarning("%s not synced with %s", qPrintable(identity), qPrintable(url));
    return app;
}

bool tst_NanostateApp::barrier(NanostateApp *from, NanostateApp *to, const QString &name)
{
    const int token = ++barrierCount;
    from->setState(name, token);
    return QTest::qWaitFor([&] { return to->state(name) == QVariant(token); }, timeoutMs);
}

bool tst_NanostateApp::hubHas(const QString &name, const QString &text)
{
    const QDeadlineTimer deadline(timeoutMs);
    while (!deadline.hasExpired()) {
        const ProcessResult r = run(HubProcess::helperPath(QStringLiteral("capp")),
                                    {url, QStringLiteral("get"), name});
        if (r.out.trimmed().endsWith('\t' + text.toUtf8()))
            return true;
    }
    return false;
}

// ---- Properties and errors -------------------------------------------------

// errorOccurred(NanostateApp::Error, ...) through QSignalSpy or a string-based
// queued connection: the enum must be registered by name, before anything
// (a QObject::connect() with member pointers) registers it by accident.
void tst_NanostateApp::errorOccurredQueued()
{
    NanostateApp app(url, QStringLiteral("a"));
    QVERIFY(QMetaType::type("NanostateApp::Error") != QMetaType::UnknownType);

    qRegisterMetaType<NanostateApp::Error>();
    QSignalSpy errorSpy(&app, SIGNAL(errorOccurred(NanostateApp::Error, QString)));
    QVERIFY(errorSpy.isValid());
    QVERIFY(!app.setState(QStringLiteral("x"), 1)); // not open
    QCOMPARE(errorSpy.count(), 1);
    QCOMPARE(errorSpy.at(0).at(0).value<NanostateApp::Error>(), NanostateApp::NotOpenError);
}

void tst_NanostateApp::defaults_data()
{
    QTest::addColumn<QString>("givenUrl");
    QTest::addColumn<bool>("envSet");
    QTest::addColumn<QString>("envUrl");
    QTest::addColumn<QString>("expectedUrl");

    const QString fromEnv = QStringLiteral("ipc:///tmp/from-env.sock");
    const QString given = QStringLiteral("tcp://127.0.0.1:16000");
    QTest::newRow("no URL, no environment")
            << QString() << false << QString() << QStringLiteral("tcp://127.0.0.1:15000");
    QTest::newRow("no URL, NANOSTATE_URL set") << QString() << true << fromEnv << fromEnv;
    QTest::newRow("no URL, NANOSTATE_URL empty")
            << QString() << true << QString() << QStringLiteral("tcp://127.0.0.1:15000");
    QTest::newRow("URL given beats NANOSTATE_URL") << given << true << fromEnv << given;
}

void tst_NanostateApp::defaults()
{
    QFETCH(QString, givenUrl);
    QFETCH(bool, envSet);
    QFETCH(QString, envUrl);
    QFETCH(QString, expectedUrl);

    const EnvGuard env("NANOSTATE_URL", envUrl.toUtf8(), envSet);
    NanostateApp app(givenUrl, QString());
    QCOMPARE(app.url(), expectedUrl);
    QCOMPARE(app.identity(),
             QStringLiteral("%1-%2")
                     .arg(QCoreApplication::applicationName())
                     .arg(QCoreApplication::applicationPid()));
    QVERIFY(!app.isOpen());
    QVERIFY(!app.isConnected());
    QVERIFY(!app.isSynced());
    QVERIFY(app.states().isEmpty());
    QVERIFY(app.stateNames().isEmpty());
    QCOMPARE(app.pendingCount(), 0);
    QCOMPARE(app.error(), NanostateApp::NoError);
    QVERIFY(app.errorString().isEmpty());
    QVERIFY(!app.handle());
    QVERIFY(!app.hasState(QStringLiteral("x")));
    QCOMPARE(app.state(QStringLiteral("x"), 7), QVariant(7));

    NanostateApp named(givenUrl, QStringLiteral("robot"));
    QCOMPARE(named.identity(), QStringLiteral("robot"));
}

void tst_NanostateApp::propertiesNotify()
{
    NanostateApp app;
    const QMetaObject *mo = app.metaObject();
    const QList<QPair<const char *, const char *>> properties{
            {"url", "urlChanged"},       {"identity", "identityChanged"},
            {"open", "openChanged"},     {"connected", "connectedChanged"},
            {"synced", "syncedChanged"}, {"states", "statesChanged"}};
    for (const auto &p : properties) {
        const QMetaProperty property = mo->property(mo->indexOfProperty(p.first));
        QVERIFY2(property.isValid(), p.first);
        QVERIFY2(property.hasNotifySignal(), p.first);
        QCOMPARE(property.notifySignal().name(), QByteArray(p.second));
    }

    QSignalSpy urlSpy(&app, &NanostateApp::urlChanged);
    QSignalSpy identitySpy(&app, &NanostateApp::identityChanged);
    app.setUrl(url);
    app.setUrl(url); // the same again: no signal
    QCOMPARE(urlSpy.count(), 1);
    QCOMPARE(app.property("url").toString(), url);
    app.setIdentity(QStringLiteral("me"));
    app.setIdentity(QStringLiteral("me"));
    QCOMPARE(identitySpy.count(), 1);
    QCOMPARE(app.property("identity").toString(), QStringLiteral("me"));

    // URL and identity take effect at the next open().
    QVERIFY(app.open());
    QTRY_VERIFY_WITH_TIMEOUT(app.isSynced(), timeoutMs);
    const std::unique_ptr<NanostateApp> other = openApp(QStringLiteral("other"));
    app.setState(QStringLiteral("who"), 1);
    QTRY_COMPARE_WITH_TIMEOUT(other->stateSender(QStringLiteral("who")), QStringLiteral("me"),
                              timeoutMs);
    app.setIdentity(QStringLiteral("me-again"));
    app.setState(QStringLiteral("who"), 2);
    QTRY_COMPARE_WITH_TIMEOUT(other->state(QStringLiteral("who")), QVariant(2), timeoutMs);
    QCOMPARE(other->stateSender(QStringLiteral("who")), QStringLiteral("me"));
    QVERIFY(app.open()); // re-open: the new identity
    app.setState(QStringLiteral("who"), 3);
    QTRY_COMPARE_WITH_TIMEOUT(other->stateSender(QStringLiteral("who")), QStringLiteral("me-again"),
                              timeoutMs);
}

void tst_NanostateApp::openAndClose()
{
    NanostateApp app(url, QStringLiteral("a"));
    QSignalSpy openSpy(&app, &NanostateApp::openChanged);
    QSignalSpy connectedSpy(&app, &NanostateApp::connectedChanged);
    QSignalSpy syncedSpy(&app, &NanostateApp::syncedChanged);
    QSignalSpy errorSpy(&app, &NanostateApp::errorOccurred);

    QVERIFY(app.open());
    QCOMPARE(openSpy.count(), 1);
    QCOMPARE(openSpy.at(0).at(0).toBool(), true);
    QVERIFY(app.isOpen());
    QVERIFY(app.property("open").toBool());
    QVERIFY(app.handle());

    QTRY_VERIFY_WITH_TIMEOUT(app.isConnected() && app.isSynced(), timeoutMs);
    QCOMPARE(connectedSpy.count(), 1);
    QCOMPARE(connectedSpy.at(0).at(0).toBool(), true);
    QCOMPARE(syncedSpy.count(), 1);
    QCOMPARE(syncedSpy.at(0).at(0).toBool(), true);

    QVERIFY(app.setState(QStringLiteral("mine"), 1));
    QVERIFY(app.hasState(QStringLiteral("mine")));
    // close() does not wait for the hub: sets it has not accepted are lost.
    QTRY_COMPARE_WITH_TIMEOUT(app.pendingCount(), 0, timeoutMs);

    app.close();
    QCOMPARE(openSpy.count(), 2);
    QCOMPARE(openSpy.at(1).at(0).toBool(), false);
    QVERIFY(!app.isOpen());
    QVERIFY(!app.handle());
    QCOMPARE(connectedSpy.count(), 2);
    QCOMPARE(connectedSpy.at(1).at(0).toBool(), false);
    QCOMPARE(syncedSpy.count(), 2);
    QVERIFY(!app.isConnected());
    QVERIFY(!app.isSynced());
    QVERIFY(app.states().isEmpty()); // a closed App has no replica

    app.close(); // twice: nothing more
    QCOMPARE(openSpy.count(), 2);
    QCOMPARE(errorSpy.count(), 0);

    // Open again: the table comes back from the hub (mine was accepted).
    QVERIFY(app.open());
    QTRY_COMPARE_WITH_TIMEOUT(app.state(QStringLiteral("mine")), QVariant(1), timeoutMs);
    // open() on an open App re-opens it.
    QVERIFY(app.open());
    QCOMPARE(openSpy.count(), 5);
    QCOMPARE(openSpy.at(3).at(0).toBool(), false);
    QCOMPARE(openSpy.at(4).at(0).toBool(), true);
    QTRY_VERIFY_WITH_TIMEOUT(app.isSynced(), timeoutMs);
}

void tst_NanostateApp::invalidUrl_data()
{
    QTest::addColumn<QString>("badUrl");

    QTest::newRow("no scheme") << QStringLiteral("127.0.0.1:15000");
    QTest::newRow("unknown transport") << QStringLiteral("http://127.0.0.1:80");
    QTest::newRow("scheme only") << QStringLiteral("tcp://");
    QTest::newRow("tcp without port") << QStringLiteral("tcp://127.0.0.1");
    QTest::newRow("ipc path too long")
            << QStringLiteral("ipc:///tmp/") + QString(200, QLatin1Char('x'));
}

void tst_NanostateApp::invalidUrl()
{
    QFETCH(QString, badUrl);

    NanostateApp app(badUrl, QStringLiteral("a"));
    QSignalSpy errorSpy(&app, &NanostateApp::errorOccurred);
    QSignalSpy openSpy(&app, &NanostateApp::openChanged);
    QVERIFY(!app.open());
    QVERIFY(!app.isOpen());
    QVERIFY(!app.handle());
    QCOMPARE(openSpy.count(), 0);
    QCOMPARE(app.error(), NanostateApp::InvalidUrlError);
    QCOMPARE(errorSpy.count(), 1);
    QCOMPARE(errorSpy.at(0).at(0).value<NanostateApp::Error>(), NanostateApp::InvalidUrlError);
    const QString message = errorSpy.at(0).at(1).toString();
    QCOMPARE(message, app.errorString());
    // Readable: says which URL and what is wrong with it.
    QVERIFY2(message.contains(badUrl), qPrintable(message));
    QVERIFY2(message.contains(QStringLiteral("URL")), qPrintable(message));

    // A good URL afterwards opens, and clears the error.
    app.setUrl(url);
    QVERIFY(app.open());
    QCOMPARE(app.error(), NanostateApp::NoError);
    QVERIFY(app.errorString().isEmpty());
}

void tst_NanostateApp::invalidName_data()
{
    QTest::addColumn<QString>("name");

    QTest::newRow("empty") << QString();
    QTest::newRow("starts with $") << QStringLiteral("$x");
    QTest::newRow("the hub's own") << QStringLiteral("$hub/states");
    QTest::newRow("1025 bytes") << QString(1025, QLatin1Char('n'));
    QTest::newRow("1024 bytes as 512 two-byte characters plus one")
            << QString(512, QChar(0x00e9)) + QLatin1Char('n');
}

void tst_NanostateApp::invalidName()
{
    QFETCH(QString, name);

    const std::unique_ptr<NanostateApp> app = openApp(QStringLiteral("a"));
    QSignalSpy errorSpy(app.get(), &NanostateApp::errorOccurred);
    QSignalSpy updatedSpy(app.get(), &NanostateApp::stateUpdated);

    QVERIFY(!app->setState(name, 1));
    QCOMPARE(app->error(), NanostateApp::InvalidNameError);
    QCOMPARE(errorSpy.count(), 1);
    QCOMPARE(errorSpy.at(0).at(0).value<NanostateApp::Error>(), NanostateApp::InvalidNameError);
    QVERIFY(!errorSpy.at(0).at(1).toString().isEmpty());

    QVERIFY(!app->removeState(name));
    QCOMPARE(app->error(), NanostateApp::InvalidNameError);
    QCOMPARE(errorSpy.count(), 2);
    QCOMPARE(updatedSpy.count(), 0);
    QVERIFY(!app->hasState(name));

    // The longest valid name works.
    QVERIFY(app->setState(QString(1024, QLatin1Char('n')), 1));
}

void tst_NanostateApp::unsupportedValue_data()
{
    QTest::addColumn<QVariant>("value");
    QTest::addColumn<QString>("typeName");

    QTest::newRow("QPointF") << QVariant(QPointF(1, 2)) << QStringLiteral("QPointF");
    QTest::newRow("QPointF in a list")
            << QVariant(QVariantList{1, QPointF()}) << QStringLiteral("QPointF");
    QTest::newRow("QSize in a map")
            << QVariant(QVariantMap{{QStringLiteral("s"), QSize(1, 1)}}) << QStringLiteral("QSize");
}

void tst_NanostateApp::unsupportedValue()
{
    QFETCH(QVariant, value);
    QFETCH(QString, typeName);

    const std::unique_ptr<NanostateApp> app = openApp(QStringLiteral("a"));
    QVERIFY(app->setState(QStringLiteral("v"), 1));
    QSignalSpy errorSpy(app.get(), &NanostateApp::errorOccurred);
    QSignalSpy updatedSpy(app.get(), &NanostateApp::stateUpdated);

    QVERIFY(!app->setState(QStringLiteral("v"), value));
    QCOMPARE(app->error(), NanostateApp::UnsupportedValueError);
    QCOMPARE(errorSpy.count(), 1);
    const QString message = errorSpy.at(0).at(1).toString();
    QVERIFY2(message.contains(typeName) && message.contains(QStringLiteral("'v'")),
             qPrintable(message));
    QCOMPARE(updatedSpy.count(), 0);
    QCOMPARE(app->state(QStringLiteral("v")), QVariant(1)); // unchanged
}

void tst_NanostateApp::notOpen_data()
{
    QTest::addColumn<bool>("openedBefore");

    QTest::newRow("never opened") << false;
    QTest::newRow("closed") << true;
}

void tst_NanostateApp::notOpen()
{
    QFETCH(bool, openedBefore);

    NanostateApp app(url, QStringLiteral("a"));
    if (openedBefore) {
        QVERIFY(app.open());
        app.close();
    }
    QSignalSpy errorSpy(&app, &NanostateApp::errorOccurred);
    QVERIFY(!app.setState(QStringLiteral("x"), 1));
    QCOMPARE(app.error(), NanostateApp::NotOpenError);
    QVERIFY(!app.removeState(QStringLiteral("x")));
    QCOMPARE(app.error(), NanostateApp::NotOpenError);
    QCOMPARE(errorSpy.count(), 2);
    QCOMPARE(errorSpy.at(0).at(0).value<NanostateApp::Error>(), NanostateApp::NotOpenError);
    QVERIFY2(errorSpy.at(0).at(1).toString().contains(QStringLiteral("'x'")),
             qPrintable(errorSpy.at(0).at(1).toString()));
    QVERIFY(!app.hasState(QStringLiteral("x")));
}

// ---- Talking to hubs -------------------------------------------------------

void tst_NanostateApp::connectionLossAndNewHub_data()
{
    QTest::addColumn<QString>("hubUrl");

    QTest::newRow("ipc") << HubProcess::ipcUrl(QStringLiteral("restart"));
    QTest::newRow("tcp") << HubProcess::freeTcpUrl();
}

void tst_NanostateApp::connectionLossAndNewHub()
{
    QFETCH(QString, hubUrl);

    HubProcess ownHub;
    QString why;
    QVERIFY2(ownHub.start(hubUrl, &why), qPrintable(why));
    NanostateApp owner(hubUrl, QStringLiteral("owner"));
    QSignalSpy connectedSpy(&owner, &NanostateApp::connectedChanged);
    QSignalSpy removedSpy(&owner, &NanostateApp::stateRemoved);
    QVERIFY(owner.open());
    QVERIFY(connectedSpy.wait(timeoutMs));
    QCOMPARE(connectedSpy.count(), 1);
    QCOMPARE(connectedSpy.at(0).at(0).toBool(), true);
    QVERIFY(owner.isConnected());

    QVERIFY(owner.setState(QStringLiteral("owned/speed"), 0.7));
    QVERIFY(owner.setState(QStringLiteral("owned/name"), QStringLiteral("r2d2")));
    QTRY_COMPARE_WITH_TIMEOUT(owner.pendingCount(), 0, timeoutMs);

    // The hub dies without a word: lost within two heartbeat periods.
    QElapsedTimer sinceKill;
    sinceKill.start();
    ownHub.kill();
    QTRY_COMPARE_WITH_TIMEOUT(connectedSpy.count(), 2, lossBoundMs);
    QVERIFY2(sinceKill.elapsed() <= lossBoundMs, qPrintable(QString::number(sinceKill.elapsed())));
    QCOMPARE(connectedSpy.at(1).at(0).toBool(), false);
    QVERIFY(!owner.isConnected());
    QVERIFY(owner.isOpen());
    // The replica stays while the hub is away.
    QCOMPARE(owner.state(QStringLiteral("owned/speed")), QVariant(0.7));

    // A new hub on the same URL: connected again...
    QVERIFY2(ownHub.start(hubUrl, &why), qPrintable(why));
    QTRY_COMPARE_WITH_TIMEOUT(connectedSpy.count(), 3, timeoutMs);
    QCOMPARE(connectedSpy.at(2).at(0).toBool(), true);
    QVERIFY(owner.isConnected());

    // ...and the owner's states are published to it again: a second App
    // that knew nothing before sees them.
    NanostateApp observer(hubUrl, QStringLiteral("observer"));
    QVERIFY(observer.open());
    NS_TRY_COMPARE_VARIANT(observer.state(QStringLiteral("owned/speed")), QVariant(0.7), timeoutMs);
    NS_TRY_COMPARE_VARIANT(observer.state(QStringLiteral("owned/name")),
                           QVariant(QStringLiteral("r2d2")), timeoutMs);
    QCOMPARE(observer.stateSender(QStringLiteral("owned/speed")), QStringLiteral("owner"));
    QCOMPARE(owner.state(QStringLiteral("owned/speed")), QVariant(0.7));
    QCOMPARE(removedSpy.count(), 0);
    QCOMPARE(connectedSpy.count(), 3);
}

void tst_NanostateApp::lateJoinerGetsSnapshot()
{
    const int count = 100;
    const std::unique_ptr<NanostateApp> early = openApp(QStringLiteral("early"));
    for (int i = 0; i < count; ++i)
        QVERIFY(early->setState(QStringLiteral("late/%1").arg(i, 3, 10, QLatin1Char('0')), i));
    QTRY_COMPARE_WITH_TIMEOUT(early->pendingCount(), 0, timeoutMs);

    NanostateApp late(url, QStringLiteral("late"));
    QSignalSpy updatedSpy(&late, &NanostateApp::stateUpdated);
    QSignalSpy statesSpy(&late, &NanostateApp::statesChanged);
    QVERIFY(late.open());
    QTRY_VERIFY_WITH_TIMEOUT(late.isSynced(), timeoutMs);
    QVERIFY(barrier(early.get(), &late, QStringLiteral("barrier")));

    const QVariantMap states = late.states();
    QCOMPARE(states.size(), count + 1);
    QHash<QString, int> seen;
    for (const QList<QVariant> &args : qAsConst(updatedSpy)) {
        ++seen[args.at(0).toString()];
        QCOMPARE(args.at(2).toString(), QStringLiteral("early"));
    }
    QCOMPARE(updatedSpy.count(), count + 1);
    for (int i = 0; i < count; ++i) {
        const QString name = QStringLiteral("late/%1").arg(i, 3, 10, QLatin1Char('0'));
        QVERIFY2(seen.value(name) == 1, qPrintable(name));
        NS_COMPARE_VARIANT(states.value(name), QVariant(i));
        QCOMPARE(late.stateSender(name), QStringLiteral("early"));
    }
    QVERIFY(statesSpy.count() >= 1);
}

void tst_NanostateApp::twoAppsSyncBothWays()
{
    const std::unique_ptr<NanostateApp> a = openApp(QStringLiteral("app-a"));
    const std::unique_ptr<NanostateApp> b = openApp(QStringLiteral("app-b"));
    QSignalSpy aUpdated(a.get(), &NanostateApp::stateUpdated);
    QSignalSpy bUpdated(b.get(), &NanostateApp::stateUpdated);

    // a -> b
    QVERIFY(a->setState(QStringLiteral("robot/speed"), 0.7));
    QCOMPARE(aUpdated.count(), 1); // its own set, at once
    QCOMPARE(aUpdated.at(0).at(2).toString(), QStringLiteral("app-a"));
    QVERIFY(bUpdated.wait(timeoutMs));
    QCOMPARE(bUpdated.count(), 1);
    QCOMPARE(bUpdated.at(0).at(0).toString(), QStringLiteral("robot/speed"));
    NS_COMPARE_VARIANT(bUpdated.at(0).at(1), QVariant(0.7));
    QCOMPARE(bUpdated.at(0).at(2).toString(), QStringLiteral("app-a"));
    QCOMPARE(b->stateSender(QStringLiteral("robot/speed")), QStringLiteral("app-a"));

    // b -> a
    QVERIFY(b->setState(QStringLiteral("robot/name"), QStringLiteral("r2d2")));
    QTRY_COMPARE_WITH_TIMEOUT(aUpdated.count(), 2, timeoutMs);
    QCOMPARE(aUpdated.at(1).at(0).toString(), QStringLiteral("robot/name"));
    NS_COMPARE_VARIANT(aUpdated.at(1).at(1), QVariant(QStringLiteral("r2d2")));
    QCOMPARE(aUpdated.at(1).at(2).toString(), QStringLiteral("app-b"));

    // b overwrites a's state, a sees it.
    QVERIFY(b->setState(QStringLiteral("robot/speed"), 1.25));
    NS_TRY_COMPARE_VARIANT(a->state(QStringLiteral("robot/speed")), QVariant(1.25), timeoutMs);
    QCOMPARE(a->stateSender(QStringLiteral("robot/speed")), QStringLiteral("app-b"));

    QVERIFY(barrier(a.get(), b.get(), QStringLiteral("barrier/a")));
    QVERIFY(barrier(b.get(), a.get(), QStringLiteral("barrier/b")));
    QCOMPARE(a->states(), b->states());
    QCOMPARE(a->stateNames(), b->stateNames());
}

void tst_NanostateApp::equalValueIsNoChange_data()
{
    QTest::addColumn<QVariant>("first");
    QTest::addColumn<QVariant>("second");
    QTest::addColumn<bool>("changed");

    QTest::newRow("int, same int") << QVariant(5) << QVariant(5) << false;
    QTest::newRow("int, same uint") << QVariant(5) << QVariant(5u) << false;
    QTest::newRow("int, same qlonglong") << QVariant(5) << QVariant(qlonglong(5)) << false;
    QTest::newRow("string, same string")
            << QVariant(QStringLiteral("s")) << QVariant(QStringLiteral("s")) << false;
    // Eight keys: a QHash seeded at random is all but never in key order.
    QVariantMap map;
    QVariantHash hash;
    for (const char *key : {"a", "b", "c", "d", "e", "f", "g", "h"}) {
        map.insert(QLatin1String(key), 1);
        hash.insert(QLatin1String(key), 1);
    }
    QTest::newRow("map, same hash") << QVariant(map) << QVariant(hash) << false;
    QTest::newRow("list, same list")
            << QVariant(QVariantList{1, true}) << QVariant(QVariantList{1, true}) << false;
    QTest::newRow("string, other string")
            << QVariant(QStringLiteral("s")) << QVariant(QStringLiteral("t")) << true;
    // Same number, other msgpack type: a change (the type is part of the value).
    QTest::newRow("int, same as double") << QVariant(2) << QVariant(2.0) << true;
    QTest::newRow("double, same as float") << QVariant(1.5) << QVariant(1.5f) << true;
}

void tst_NanostateApp::equalValueIsNoChange()
{
    QFETCH(QVariant, first);
    QFETCH(QVariant, second);
    QFETCH(bool, changed);

    const std::unique_ptr<NanostateApp> a = openApp(QStringLiteral("a"));
    const std::unique_ptr<NanostateApp> b = openApp(QStringLiteral("b"));
    QSignalSpy aUpdated(a.get(), &NanostateApp::stateUpdated);
    QSignalSpy bUpdated(b.get(), &NanostateApp::stateUpdated);
    const QString name = QStringLiteral("x");

    QVERIFY(a->setState(name, first));
    QTRY_COMPARE_WITH_TIMEOUT(countFor(bUpdated, name), 1, timeoutMs);
    QTRY_COMPARE_WITH_TIMEOUT(a->pendingCount(), 0, timeoutMs);
    QVERIFY(a->setState(name, second));
    QVERIFY(barrier(a.get(), b.get(), QStringLiteral("barrier")));

    const int expected = changed ? 2 : 1;
    QCOMPARE(countFor(aUpdated, name), expected);
    QCOMPARE(countFor(bUpdated, name), expected);
    NS_COMPARE_VARIANT(b->state(name), a->state(name));
}

void tst_NanostateApp::noEchoLoop_data()
{
    QTest::addColumn<int>("values");

    QTest::newRow("one value") << 1;
    QTest::newRow("burst of 20 values, received in one batch") << 20;
}

// A burst of sets goes out together when the event loop next runs; code
// without one waits for the hub to accept it.
void tst_NanostateApp::waitForAcceptedSendsABurstWithoutEventLoop()
{
    const std::unique_ptr<NanostateApp> a = openApp(QStringLiteral("burst"));
    const int count = 200;
    for (int i = 1; i <= count; ++i)
        QVERIFY(a->setState(QStringLiteral("burst/%1").arg(i % 10), i));
    QVERIFY(a->pendingCount() > 0);
    QVERIFY(a->waitForAccepted(timeoutMs));
    QCOMPARE(a->pendingCount(), 0);
    QVERIFY(hubHas(QStringLiteral("burst/0"), QString::number(count)));

    NanostateApp closed;
    QVERIFY(!closed.waitForAccepted(10));
}

// Each App writes back whatever it is told. Equal values are no change, so
// this settles on one value instead of ping-ponging.
void tst_NanostateApp::noEchoLoop()
{
    QFETCH(int, values);

    const std::unique_ptr<NanostateApp> a = openApp(QStringLiteral("a"));
    const std::unique_ptr<NanostateApp> b = openApp(QStringLiteral("b"));
    const QString name = QStringLiteral("echo");
    for (NanostateApp *app : {a.get(), b.get()}) {
        connect(app, &NanostateApp::stateUpdated, app,
                [app, name](const QString &n, const QVariant &value) {
                    if (n == name)
                        app->setState(n, value);
                });
    }
    QSignalSpy aUpdated(a.get(), &NanostateApp::stateUpdated);
    QSignalSpy bUpdated(b.get(), &NanostateApp::stateUpdated);

    for (int i = 1; i <= values; ++i)
        QVERIFY(a->setState(name, i));
    // Without running this thread's event loop, let a send its burst and
    // wait until the hub has the last value (a C App asks it): then every
    // value waits in b's socket and b takes them in a single dispatch.
    QVERIFY(a->waitForAccepted(timeoutMs));
    QVERIFY(hubHas(name, QString::number(values)));

    // The expected final state on both sides (the last value: b saw the
    // burst at once, so it can only have echoed that)...
    const bool agreed = QTest::qWaitFor(
            [&] {
                return a->state(name) == QVariant(values) && b->state(name) == QVariant(values);
            },
            timeoutMs);
    // ...then whatever was in flight has arrived (barriers both ways)...
    QVERIFY(barrier(a.get(), b.get(), QStringLiteral("barrier/a")));
    QVERIFY(barrier(b.get(), a.get(), QStringLiteral("barrier/b")));
    const int aCount = countFor(aUpdated, name);
    const int bCount = countFor(bUpdated, name);
    // ...and nothing more comes: another round of barriers brings no echo.
    QVERIFY(barrier(a.get(), b.get(), QStringLiteral("barrier/a")));
    QVERIFY(barrier(b.get(), a.get(), QStringLiteral("barrier/b")));
    const int aMore = countFor(aUpdated, name) - aCount;
    const int bMore = countFor(bUpdated, name) - bCount;

    // Bounded: a sees its own sets, b each value at most once.
    const QString counts = QStringLiteral("agreed %1, a: %2 signals (+%3 after settling), "
                                          "b: %4 (+%5), final a %6 b %7")
                                   .arg(agreed)
                                   .arg(aCount)
                                   .arg(aMore)
                                   .arg(bCount)
                                   .arg(bMore)
                                   .arg(a->state(name).toString(), b->state(name).toString());
    QVERIFY2(agreed && aMore == 0 && bMore == 0 && aCount <= values + 1 && bCount <= values,
             qPrintable(counts));
}

void tst_NanostateApp::stateRemoved_data()
{
    QTest::addColumn<bool>("ownerRemoves");

    QTest::newRow("the owner removes") << true;
    QTest::newRow("another App removes") << false;
}

void tst_NanostateApp::stateRemoved()
{
    QFETCH(bool, ownerRemoves);

    const std::unique_ptr<NanostateApp> a = openApp(QStringLiteral("a"));
    const std::unique_ptr<NanostateApp> b = openApp(QStringLiteral("b"));
    const QString name = QStringLiteral("doomed");
    QVERIFY(a->setState(name, 1));
    QVERIFY(a->setState(QStringLiteral("kept"), 2));
    QTRY_VERIFY_WITH_TIMEOUT(b->hasState(name) && b->hasState(QStringLiteral("kept")), timeoutMs);

    QSignalSpy aRemoved(a.get(), &NanostateApp::stateRemoved);
    QSignalSpy bRemoved(b.get(), &NanostateApp::stateRemoved);
    QSignalSpy aStates(a.get(), &NanostateApp::statesChanged);
    QSignalSpy bStates(b.get(), &NanostateApp::statesChanged);
    NanostateApp *remover = ownerRemoves ? a.get() : b.get();
    NanostateApp *other = ownerRemoves ? b.get() : a.get();
    QSignalSpy &removerSpy = ownerRemoves ? aRemoved : bRemoved;
    QSignalSpy &otherSpy = ownerRemoves ? bRemoved : aRemoved;

    QVERIFY(remover->removeState(name));
    QCOMPARE(removerSpy.count(), 1); // at once
    QCOMPARE(removerSpy.at(0).at(0).toString(), name);
    QVERIFY(!remover->hasState(name));
    QVERIFY(otherSpy.wait(timeoutMs));
    QCOMPARE(otherSpy.count(), 1);
    QCOMPARE(otherSpy.at(0).at(0).toString(), name);
    QVERIFY(!other->hasState(name));
    QCOMPARE(other->state(name, QStringLiteral("gone")), QVariant(QStringLiteral("gone")));
    QVERIFY(other->stateSender(name).isEmpty());
    QVERIFY(!other->stateNames().contains(name));
    QVERIFY(aStates.count() >= 1 && bStates.count() >= 1);
    QVERIFY(a->hasState(QStringLiteral("kept")) && b->hasState(QStringLiteral("kept")));

    // A late joiner does not see it either.
    const std::unique_ptr<NanostateApp> late = openApp(QStringLiteral("late"));
    QVERIFY(!late->hasState(name));
    QVERIFY(late->hasState(QStringLiteral("kept")));

    // Removing a state that does not exist is no error, and no removal.
    QVERIFY(remover->removeState(QStringLiteral("never-was")));
    QVERIFY(barrier(remover, other, QStringLiteral("barrier")));
    QCOMPARE(removerSpy.count(), 1);
    QCOMPARE(otherSpy.count(), 1);
}

void tst_NanostateApp::statesChanged()
{
    const std::unique_ptr<NanostateApp> a = openApp(QStringLiteral("a"));
    const std::unique_ptr<NanostateApp> b = openApp(QStringLiteral("b"));
    QSignalSpy aStates(a.get(), &NanostateApp::statesChanged);
    QSignalSpy bStates(b.get(), &NanostateApp::statesChanged);

    // Emitted before stateUpdated: a slot sees the new table.
    QVariantMap statesAtUpdate;
    connect(b.get(), &NanostateApp::stateUpdated, this,
            [&] { statesAtUpdate = b->property("states").toMap(); });

    QVERIFY(a->setState(QStringLiteral("s1"), 1));
    QCOMPARE(aStates.count(), 1);
    QCOMPARE(a->property("states").toMap(), (QVariantMap{{QStringLiteral("s1"), 1}}));
    QVERIFY(bStates.wait(timeoutMs));
    QCOMPARE(b->states(), (QVariantMap{{QStringLiteral("s1"), 1}}));
    QCOMPARE(statesAtUpdate, (QVariantMap{{QStringLiteral("s1"), 1}}));

    const int before = bStates.count();
    QVERIFY(a->setState(QStringLiteral("s2"), QStringLiteral("two")));
    QTRY_VERIFY_WITH_TIMEOUT(bStates.count() > before, timeoutMs);
    QCOMPARE(b->states().size(), 2);

    const int beforeRemove = bStates.count();
    QVERIFY(a->removeState(QStringLiteral("s1")));
    QTRY_VERIFY_WITH_TIMEOUT(bStates.count() > beforeRemove, timeoutMs);
    QCOMPARE(b->states(), (QVariantMap{{QStringLiteral("s2"), QStringLiteral("two")}}));

    // Closing empties the table, and says so.
    const int beforeClose = bStates.count();
    b->close();
    QCOMPARE(bStates.count(), beforeClose + 1);
    QVERIFY(b->states().isEmpty());
}

// ---- A C App and a Qt App, separate processes, every type --------------------

// One row per msgpack type and edge: what a Qt App sets, what a Qt App
// receives (exact QVariant type), how the C App sets it (capp KIND VALUE),
// and what the C App reads back (type, packed bytes, text).
void tst_NanostateApp::exchangeTable()
{
    QTest::addColumn<QVariant>("qtValue");
    QTest::addColumn<QVariant>("arrives");
    QTest::addColumn<QString>("cKind");
    QTest::addColumn<QString>("cValue");
    QTest::addColumn<QString>("cType");
    QTest::addColumn<QByteArray>("packed");
    QTest::addColumn<QString>("cText");

    // tag, Qt sets, Qt receives, capp KIND VALUE, C reads: type, packed bytes, text.
    const auto row = [](const char *tag, const QVariant &qtValue, const QVariant &arrives,
                        const char *cKind, const QString &cValue, const char *cType,
                        const QByteArray &packedHex, const QString &cText) {
        QTest::newRow(tag) << qtValue << arrives << QString::fromLatin1(cKind) << cValue
                           << QString::fromLatin1(cType) << QByteArray::fromHex(packedHex) << cText;
    };
    const auto s = [](const char *latin1) { return QString::fromLatin1(latin1); };
    const QVariant null = QVariant::fromValue(nullptr);
    const qlonglong int64Min = std::numeric_limits<qlonglong>::min();
    const qlonglong int64Max = std::numeric_limits<qlonglong>::max();
    const qulonglong uint64Max = std::numeric_limits<qulonglong>::max();
    const QString unicode = QStringLiteral("Gr\u00fc\u00dfe, \u4e16\u754c \U0001F680");
    const QByteArray unicodeUtf8 = unicode.toUtf8();
    const QByteArray zeros("\0\1\xff\0", 4);

    row("nil", QVariant(), null, "nil", s(""), "nil", "c0", s("nil"));
    row("true", true, true, "bool", s("1"), "bool", "c3", s("1"));
    row("false", false, false, "bool", s("0"), "bool", "c2", s("0"));
    row("int 42", 42, 42, "int", s("42"), "uint", "2a", s("42"));
    row("int -5", -5, -5, "int", s("-5"), "int", "fb", s("-5"));
    row("int min", INT_MIN, INT_MIN, "int", s("-2147483648"), "int", "d280000000",
        s("-2147483648"));
    row("uint 3000000000: qlonglong", 3000000000u, qlonglong(3000000000LL), "uint", s("3000000000"),
        "uint", "ceb2d05e00", s("3000000000"));
    row("qlonglong min", int64Min, int64Min, "int", s("-9223372036854775808"), "int",
        "d38000000000000000", s("-9223372036854775808"));
    row("qlonglong max", int64Max, int64Max, "int", s("9223372036854775807"), "uint",
        "cf7fffffffffffffff", s("9223372036854775807"));
    row("qulonglong max", uint64Max, uint64Max, "uint", s("18446744073709551615"), "uint",
        "cfffffffffffffffff", s("18446744073709551615"));
    row("double 0.75", 0.75, 0.75, "double", s("0.75"), "float", "cb3fe8000000000000", s("0.75"));
    row("double 2.0 stays double", 2.0, 2.0, "double", s("2"), "float", "cb4000000000000000",
        s("2"));
    row("float 1.5", 1.5f, 1.5f, "packed", s("ca3fc00000"), "float", "ca3fc00000", s("1.5"));
    row("string ASCII", s("hello"), s("hello"), "str", s("hello"), "str", "a568656c6c6f",
        s("hello"));
    row("string non-ASCII", unicode, unicode, "str", unicode, "str",
        QByteArray::number(0xa0 + unicodeUtf8.size(), 16) + unicodeUtf8.toHex(), unicode);
    row("string empty", QString(), QString(), "str", s(""), "str", "a0", s(""));
    row("bytes with zeros", zeros, zeros, "bin", s("0001ff00"), "bin", "c4040001ff00",
        s("0001ff00"));
    row("bytes empty", QByteArray(), QByteArray(), "bin", s(""), "bin", "c400", s(""));
    row("QStringList: list", QStringList{s("a"), s("b")}, QVariantList{s("a"), s("b")}, "packed",
        s("92a161a162"), "array", "92a161a162", s("-"));
    row("list nested", QVariantList{1, s("x"), QVariantList{true, QVariant()}, 0.5},
        QVariantList{1, s("x"), QVariantList{true, null}, 0.5}, "packed",
        s("9401a17892c3c0cb3fe0000000000000"), "array", "9401a17892c3c0cb3fe0000000000000", s("-"));
    const QVariantMap pose{{s("pose"), QVariantMap{{s("x"), 1.5}, {s("y"), -2}}},
                           {s("tags"), QVariantList{s("t")}}};
    const char *poseHex = "82a4706f736582a178cb3ff8000000000000a179fea47461677391a174";
    row("map nested", pose, pose, "packed", s(poseHex), "map", poseHex, s("-"));
    row("QVariantHash: map", QVariantHash{{s("k"), 1}}, QVariantMap{{s("k"), 1}}, "packed",
        s("81a16b01"), "map", "81a16b01", s("-"));
    row("QJsonObject: map", QJsonObject{{s("k"), 1}}, QVariantMap{{s("k"), 1}}, "packed",
        s("81a16b01"), "map", "81a16b01", s("-"));
    const qint64 ms = 1714979289123; // 2024-05-06T07:08:09.123Z
    row("QDateTime ms", utc(ms), utc(ms), "packed", s("d7ff1d535300663881d9"), "ext",
        "d7ff1d535300663881d9", s("-"));
    row("QDateTime local", QDateTime::fromMSecsSinceEpoch(ms, Qt::LocalTime), utc(ms), "packed",
        s("d7ff1d535300663881d9"), "ext", "d7ff1d535300663881d9", s("-"));
    row("QDateTime before 1970", utc(-500), utc(-500), "packed",
        s("c70cff1dcd6500ffffffffffffffff"), "ext", "c70cff1dcd6500ffffffffffffffff", s("-"));
    const QVariant extValue = QVariant::fromValue(ext(5, QByteArray("\1\2", 2)));
    row("NanostateExt", extValue, extValue, "packed", s("d5050102"), "ext", "d5050102", s("-"));
}

void tst_NanostateApp::cAppToQtApp_data()
{
    exchangeTable();
}

void tst_NanostateApp::cAppToQtApp()
{
    QFETCH(QVariant, arrives);
    QFETCH(QString, cKind);
    QFETCH(QString, cValue);

    const std::unique_ptr<NanostateApp> qt = openApp(QStringLiteral("qt"));
    QSignalSpy updated(qt.get(), &NanostateApp::stateUpdated);
    const QString name = QStringLiteral("from/c");
    const ProcessResult r = run(HubProcess::helperPath(QStringLiteral("capp")),
                                {url, QStringLiteral("set"), name, cKind, cValue});
    QVERIFY2(r.finished && r.exitCode == 0, qPrintable(describe(r)));

    QVERIFY(updated.count() > 0 || updated.wait(timeoutMs));
    QCOMPARE(updated.count(), 1);
    QCOMPARE(updated.at(0).at(0).toString(), name);
    NS_COMPARE_VARIANT(updated.at(0).at(1), arrives);
    QCOMPARE(updated.at(0).at(2).toString(), QStringLiteral("capp"));
    NS_COMPARE_VARIANT(qt->state(name), arrives);
    QCOMPARE(qt->stateSender(name), QStringLiteral("capp"));
}

void tst_NanostateApp::qtAppToCApp_data()
{
    exchangeTable();
}

void tst_NanostateApp::qtAppToCApp()
{
    QFETCH(QVariant, qtValue);
    QFETCH(QString, cType);
    QFETCH(QByteArray, packed);
    QFETCH(QString, cText);

    const std::unique_ptr<NanostateApp> qt = openApp(QStringLiteral("qt"));
    const QString name = QStringLiteral("from/qt");
    QVERIFY(qt->setState(name, qtValue));
    QTRY_COMPARE_WITH_TIMEOUT(qt->pendingCount(), 0, timeoutMs);

    const ProcessResult r =
            run(HubProcess::helperPath(QStringLiteral("capp")), {url, QStringLiteral("get"), name});
    QVERIFY2(r.finished && r.exitCode == 0, qPrintable(describe(r)));
    QByteArray line = r.out;
    if (line.endsWith('\n'))
        line.chop(1);
    const QList<QByteArray> fields = line.split('\t');
    QCOMPARE(fields.size(), 4);
    QCOMPARE(QString::fromUtf8(fields.at(0)), name);
    QCOMPARE(QString::fromUtf8(fields.at(1)), cType);
    QCOMPARE(fields.at(2), packed.toHex());
    QCOMPARE(QString::fromUtf8(fields.at(3)), cText);
}

// The nanostate CLI with --json, another C App, speaks JSON.
void tst_NanostateApp::cliToQtApp_data()
{
    QTest::addColumn<QString>("json");
    QTest::addColumn<QVariant>("arrives");

    QTest::newRow("integer") << QStringLiteral("42") << QVariant(42);
    QTest::newRow("negative integer") << QStringLiteral("-7") << QVariant(-7);
    QTest::newRow("int64 max") << QStringLiteral("9223372036854775807")
                               << QVariant(std::numeric_limits<qlonglong>::max());
    QTest::newRow("real") << QStringLiteral("0.5") << QVariant(0.5);
    QTest::newRow("whole real") << QStringLiteral("4.0") << QVariant(4.0);
    QTest::newRow("true") << QStringLiteral("true") << QVariant(true);
    QTest::newRow("null") << QStringLiteral("null") << QVariant::fromValue(nullptr);
    QTest::newRow("string") << QStringLiteral("\"Gr\u00fc\u00dfe \U0001F680\"")
                            << QVariant(QStringLiteral("Gr\u00fc\u00dfe \U0001F680"));
    QTest::newRow("array") << QStringLiteral("[1,\"a\",[true,null]]")
                           << QVariant(QVariantList{
                                      1, QStringLiteral("a"),
                                      QVariantList{true, QVariant::fromValue(nullptr)}});
    QTest::newRow("object") << QStringLiteral("{\"a\":{\"b\":1.5},\"c\":[]}")
                            << QVariant(QVariantMap{{QStringLiteral("a"),
                                                     QVariantMap{{QStringLiteral("b"), 1.5}}},
                                                    {QStringLiteral("c"), QVariantList()}});
    QTest::newRow("bin as base64")
            << QStringLiteral("{\"base64\":\"AAH/\"}") << QVariant(QByteArray("\0\1\xff", 3));
    QTest::newRow("ext as base64") << QStringLiteral("{\"ext\":5,\"base64\":\"AQI=\"}")
                                   << QVariant::fromValue(ext(5, QByteArray("\1\2", 2)));
    QTest::newRow("timestamp as ext -1")
            << QStringLiteral("{\"ext\":-1,\"base64\":\"AAAAAQ==\"}") << QVariant(utc(1000));
}

void tst_NanostateApp::cliToQtApp()
{
    QFETCH(QString, json);
    QFETCH(QVariant, arrives);

    const std::unique_ptr<NanostateApp> qt = openApp(QStringLiteral("qt"));
    const QString name = QStringLiteral("from/cli");
    const ProcessResult r =
            run(HubProcess::toolPath(QStringLiteral("nanostate")),
                {QStringLiteral("-c"), url, QStringLiteral("-i"), QStringLiteral("cli"),
                 QStringLiteral("--json"), QStringLiteral("set"), name, json});
    QVERIFY2(r.finished && r.exitCode == 0, qPrintable(describe(r)));
    NS_TRY_COMPARE_VARIANT(qt->state(name), arrives, timeoutMs);
    QCOMPARE(qt->stateSender(name), QStringLiteral("cli"));
}

void tst_NanostateApp::qtAppToCli_data()
{
    QTest::addColumn<QVariant>("qtValue");
    QTest::addColumn<QString>("json");

    QTest::newRow("int") << QVariant(42) << QStringLiteral("42");
    QTest::newRow("double") << QVariant(0.5) << QStringLiteral("0.5");
    QTest::newRow("bool") << QVariant(false) << QStringLiteral("false");
    QTest::newRow("null") << QVariant() << QStringLiteral("null");
    QTest::newRow("string") << QVariant(QStringLiteral("\u4e16\u754c"))
                            << QStringLiteral("\"\u4e16\u754c\"");
    QTest::newRow("bytes") << QVariant(QByteArray("\0\1\xff", 3))
                           << QStringLiteral("{\"base64\":\"AAH/\"}");
    QTest::newRow("list") << QVariant(QVariantList{1, QStringLiteral("a")})
                          << QStringLiteral("[1,\"a\"]");
    QTest::newRow("map") << QVariant(QVariantMap{{QStringLiteral("x"), 1.5}})
                         << QStringLiteral("{\"x\":1.5}");
    QTest::newRow("ext") << QVariant::fromValue(ext(5, QByteArray("\1\2", 2)))
                         << QStringLiteral("{\"ext\":5,\"base64\":\"AQI=\"}");
}

void tst_NanostateApp::qtAppToCli()
{
    QFETCH(QVariant, qtValue);
    QFETCH(QString, json);

    const std::unique_ptr<NanostateApp> qt = openApp(QStringLiteral("qt"));
    const QString name = QStringLiteral("from/qt");
    QVERIFY(qt->setState(name, qtValue));
    QTRY_COMPARE_WITH_TIMEOUT(qt->pendingCount(), 0, timeoutMs);

    const ProcessResult r =
            run(HubProcess::toolPath(QStringLiteral("nanostate")),
                {QStringLiteral("-c"), url, QStringLiteral("--json"), QStringLiteral("get"), name});
    QVERIFY2(r.finished && r.exitCode == 0, qPrintable(describe(r)));
    QJsonParseError error;
    const QJsonDocument line = QJsonDocument::fromJson(r.out, &error);
    QVERIFY2(line.isObject(),
             qPrintable(error.errorString() + QStringLiteral(": ") + QString::fromUtf8(r.out)));
    const QJsonDocument expected = QJsonDocument::fromJson("[" + json.toUtf8() + "]");
    QVERIFY(expected.isArray());
    QCOMPARE(line.object().value(QStringLiteral("name")).toString(), name);
    QCOMPARE(line.object().value(QStringLiteral("value")), expected.array().at(0));
    QCOMPARE(line.object().value(QStringLiteral("sender")).toString(), QStringLiteral("qt"));
}

// ---- Threads and re-entrancy ------------------------------------------------

// Created in the main thread, moved to a worker before open(): driven by the
// worker's event loop, signals emitted there, timers (connection loss) too.
void tst_NanostateApp::workerThread()
{
    QThread worker;
    worker.setObjectName(QStringLiteral("worker"));
    worker.start();
    auto *app = new NanostateApp(url, QStringLiteral("worker"));
    app->moveToThread(&worker);
    const auto stopWorker = qScopeGuard([&] {
        QMetaObject::invokeMethod(
                app, [app] { delete app; }, Qt::BlockingQueuedConnection);
        worker.quit();
        worker.wait();
    });

    ThreadLog log;
    connect(app, &NanostateApp::connectedChanged, app, [&log](bool connected) {
        QMutexLocker lock(&log.mutex);
        log.connectedThreads.append(QThread::currentThread());
        log.connectedValues.append(connected);
    });
    connect(app, &NanostateApp::stateUpdated, app,
            [&log](const QString &name, const QVariant &value) {
                QMutexLocker lock(&log.mutex);
                log.updateThreads.append(QThread::currentThread());
                log.updates.insert(name, value);
            });
    const auto locked = [&log](auto f) {
        QMutexLocker lock(&log.mutex);
        return f();
    };

    bool opened = false;
    QVERIFY(QMetaObject::invokeMethod(app, "open", Qt::BlockingQueuedConnection,
                                      Q_RETURN_ARG(bool, opened)));
    QVERIFY(opened);
    QTRY_VERIFY_WITH_TIMEOUT(locked([&] { return log.connectedValues == QList<bool>{true}; }),
                             timeoutMs);

    // The main thread's App talks to the worker's.
    const std::unique_ptr<NanostateApp> main = openApp(QStringLiteral("main"));
    QVERIFY(main->setState(QStringLiteral("to/worker"), 7));
    QTRY_VERIFY_WITH_TIMEOUT(
            locked([&] { return log.updates.value(QStringLiteral("to/worker")) == QVariant(7); }),
            timeoutMs);
    QMetaObject::invokeMethod(
            app, [app] { app->setState(QStringLiteral("from/worker"), QStringLiteral("hi")); },
            Qt::BlockingQueuedConnection);
    QTRY_COMPARE_WITH_TIMEOUT(main->state(QStringLiteral("from/worker")),
                              QVariant(QStringLiteral("hi")), timeoutMs);

    {
        QMutexLocker lock(&log.mutex);
        QVERIFY(!log.updateThreads.isEmpty());
        for (QThread *t : qAsConst(log.updateThreads))
            QCOMPARE(t, &worker);
        QCOMPARE(log.connectedThreads, QList<QThread *>{&worker});
    }

    // The hub dies: only the App's timer can tell, and it must run in the worker.
    hub.kill();
    const bool lost = QTest::qWaitFor(
            [&] { return locked([&] { return log.connectedValues.size() == 2; }); }, lossBoundMs);
    QVERIFY2(lost, "no connectedChanged(false) after the hub was killed");
    QMutexLocker lock(&log.mutex);
    QCOMPARE(log.connectedValues, (QList<bool>{true, false}));
    QCOMPARE(log.connectedThreads, (QList<QThread *>{&worker, &worker}));
}

void tst_NanostateApp::closeInsideStateUpdated_data()
{
    QTest::addColumn<int>("states");
    QTest::addColumn<bool>("beforeJoin");

    QTest::newRow("live update") << 1 << false;
    QTest::newRow("20 live updates in one batch") << 20 << false;
    QTest::newRow("snapshot of 20") << 20 << true;
}

void tst_NanostateApp::closeInsideStateUpdated()
{
    QFETCH(int, states);
    QFETCH(bool, beforeJoin);

    const std::unique_ptr<NanostateApp> writer = openApp(QStringLiteral("writer"));
    const std::unique_ptr<NanostateApp> observer = openApp(QStringLiteral("observer"));
    const auto write = [&] {
        for (int i = 0; i < states; ++i)
            writer->setState(QStringLiteral("s%1").arg(i), i);
    };
    if (beforeJoin) {
        write();
        QTRY_COMPARE_WITH_TIMEOUT(writer->pendingCount(), 0, timeoutMs);
    }

    NanostateApp reader(url, QStringLiteral("reader"));
    QSignalSpy openSpy(&reader, &NanostateApp::openChanged);
    int updatesAfterClose = 0;
    bool closed = false;
    connect(&reader, &NanostateApp::stateUpdated, this, [&] {
        if (closed) {
            ++updatesAfterClose;
            return;
        }
        closed = true;
        reader.close();
        QVERIFY(!reader.isOpen()); // closed when close() returns
    });
    QVERIFY(reader.open());
    if (!beforeJoin) {
        QTRY_VERIFY_WITH_TIMEOUT(reader.isSynced(), timeoutMs);
        write();
        QVERIFY(writer->waitForAccepted(timeoutMs));
        // All of them wait in the reader's socket before it dispatches again.
        QVERIFY(hubHas(QStringLiteral("s%1").arg(states - 1), QString::number(states - 1)));
    }
    QTRY_VERIFY_WITH_TIMEOUT(closed, timeoutMs);
    QVERIFY(!reader.isOpen());
    QCOMPARE(openSpy.count(), 2);
    QVERIFY(reader.states().isEmpty());
    QVERIFY(!reader.handle());
    // The event loop runs on (the notifier it deleted must not fire) ...
    QVERIFY(barrier(writer.get(), observer.get(), QStringLiteral("barrier")));
    // ... and nothing is emitted after close().
    QCOMPARE(updatesAfterClose, 0);

    // It opens again and gets the whole table.
    closed = true;
    QVERIFY(reader.open());
    QTRY_COMPARE_WITH_TIMEOUT(reader.states().size(), states + 1, timeoutMs);
}

QTEST_MAIN(tst_NanostateApp)
#include "tst_nanostateapp.moc"
