// SPDX-License-Identifier: MIT
#include "clientsmodel.h"
#include "globpattern.h"
#include "hubengine.h"
#include "hubprocess.h"
#include "hubws.h"
#include "logview.h"
#include "monitoroptions.h"
#include "monitorwindow.h"
#include "rategraph.h"
#include "ratesampler.h"
#include "statesfilter.h"
#include "statesmodel.h"
#include "valuetext.h"
#include "wsserver.h"

#include <nanostateapp.h>
#include <nanostatevariant.h>

#include <QtCore/QDir>
#include <QtCore/QScopedPointer>
#include <QtGui/QImage>
#include <QtTest/QSignalSpy>
#include <QtTest/QtTest>
#include <QtWebSockets/QWebSocket>
#include <QtWidgets/QLineEdit>
#include <QtWidgets/QTableView>

class tst_HubWsMonitor : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void globMatches_data();
    void globMatches();
    void valueTextReadsWhatItWrites_data();
    void valueTextReadsWhatItWrites();
    void valueTextTakesOtherTextAsString();
    void optionsAreTakenFromArguments();

    void modelShowsTableAndChanges();
    void modelCoalescesUpdates();
    void filterGlobStarCrossesSlash();
    void editingPublishes();
    void clientsModelListsWebSocketPeers();
    void rateGraphReceivesSamples();
    void logViewShowsHubLog();
    void screenshotShowsRows();

private:
    bool startHub(int statsMs = 0);
    bool openApp(const QString &identity = QStringLiteral("sim"));
    static QString screenshotDir();

    QScopedPointer<HubWs> hub;
    QScopedPointer<NanostateApp> app;
};

bool tst_HubWsMonitor::startHub(int statsMs)
{
    HubConfig config;
    config.binds = QStringList{HubProcess::freeTcpUrl()};
    config.wsPort = 0;
    config.heartbeatMs = 100;
    config.statsMs = statsMs;
    config.webRoot = QDir::tempPath(); // no pages needed
    hub.reset(new HubWs(config));
    QString error;
    if (!hub->start(&error)) {
        qWarning() << "hub:" << error;
        return false;
    }
    return true;
}

bool tst_HubWsMonitor::openApp(const QString &identity)
{
    app.reset(new NanostateApp(hub->config().binds.first(), identity));
    if (!app->open())
        return false;
    QSignalSpy synced(app.data(), &NanostateApp::syncedChanged);
    return app->isSynced() || synced.wait(5000);
}

QString tst_HubWsMonitor::screenshotDir()
{
    // BUILD/test-logs survives the run (tests/run removes $NANOSTATE_TEST_TMP).
    QString dir = qEnvironmentVariable("NANOSTATE_BUILD");
    dir = dir.isEmpty() ? QCoreApplication::applicationDirPath() + QStringLiteral("/../../test-logs")
                        : dir + QStringLiteral("/test-logs");
    if (QDir().mkpath(dir))
        return QDir(dir).absolutePath();
    const QString tmp = qEnvironmentVariable("NANOSTATE_TEST_TMP");
    return tmp.isEmpty() ? QDir::tempPath() : tmp;
}

void tst_HubWsMonitor::init()
{
    if (QByteArray(QTest::currentTestFunction()).startsWith("globMatches")
        || QByteArray(QTest::currentTestFunction()).startsWith("valueText")
        || QByteArray(QTest::currentTestFunction()).startsWith("options"))
        return;
    QVERIFY(startHub(QByteArray(QTest::currentTestFunction()) == "screenshotShowsRows" ? 200 : 0));
}

void tst_HubWsMonitor::cleanup()
{
    app.reset();
    if (hub)
        hub->stop();
    hub.reset();
}

void tst_HubWsMonitor::globMatches_data()
{
    QTest::addColumn<QString>("glob");
    QTest::addColumn<QString>("name");
    QTest::addColumn<bool>("matches");
    QTest::newRow("star crosses slash") << "robot/*" << "robot/arm/angle" << true;
    QTest::newRow("star matches nothing") << "robot/*" << "robot/" << true;
    QTest::newRow("star at the start") << "*/angle" << "robot/arm/angle" << true;
    QTest::newRow("whole name") << "robot/*" << "xrobot/arm" << false;
    QTest::newRow("question one char") << "robot/?rm" << "robot/arm" << true;
    QTest::newRow("question crosses slash") << "robot?arm" << "robot/arm" << true;
    QTest::newRow("question not zero") << "robot/?arm" << "robot/arm" << false;
    QTest::newRow("set") << "sensor[12]" << "sensor2" << true;
    QTest::newRow("set miss") << "sensor[12]" << "sensor3" << false;
    QTest::newRow("range") << "sensor[0-9]" << "sensor7" << true;
    QTest::newRow("negated set") << "sensor[!0-9]" << "sensorx" << true;
    QTest::newRow("negated set miss") << "sensor[!0-9]" << "sensor7" << false;
    QTest::newRow("unclosed bracket is literal") << "a[b" << "a[b" << true;
    QTest::newRow("bracket first in set") << "[]]x" << "]x" << true;
    QTest::newRow("regex chars are literal") << "a.b+(c)*" << "a.b+(c)/d" << true;
    QTest::newRow("dot is not any char") << "a.b" << "axb" << false;
    QTest::newRow("escaped star") << "a\\*" << "a*" << true;
    QTest::newRow("escaped star is literal") << "a\\*" << "ab" << false;
    QTest::newRow("case sensitive") << "Robot/*" << "robot/arm" << false;
    QTest::newRow("hub figures") << "$hub/*" << "$hub/clients/nanomsg" << true;
}

void tst_HubWsMonitor::globMatches()
{
    QFETCH(QString, glob);
    QFETCH(QString, name);
    QFETCH(bool, matches);
    const QRegularExpression re = GlobPattern::toRegularExpression(glob);
    QVERIFY2(re.isValid(), qPrintable(re.pattern()));
    QCOMPARE(re.match(name).hasMatch(), matches);
}

void tst_HubWsMonitor::valueTextReadsWhatItWrites_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QVariant>("value");
    QTest::addColumn<QString>("type");
    QTest::newRow("null") << "null" << QVariant::fromValue(nullptr) << "nil";
    QTest::newRow("true") << "true" << QVariant(true) << "bool";
    QTest::newRow("int") << "42" << QVariant(qlonglong(42)) << "uint";
    QTest::newRow("negative") << "-7" << QVariant(qlonglong(-7)) << "int";
    QTest::newRow("uint64 max") << "18446744073709551615"
                                << QVariant(qulonglong(18446744073709551615ULL)) << "uint";
    QTest::newRow("real stays real") << "3.0" << QVariant(3.0) << "float";
    QTest::newRow("real") << "0.1" << QVariant(0.1) << "float";
    QTest::newRow("string") << "\"a \\\"b\\\"\\n\"" << QVariant(QStringLiteral("a \"b\"\n")) << "str";
    QTest::newRow("bin") << "{\"base64\": \"AAEC\"}" << QVariant(QByteArray("\x00\x01\x02", 3)) << "bin";
    QTest::newRow("array") << "[1, \"x\", [], {}]"
                           << QVariant(QVariantList{qlonglong(1), QStringLiteral("x"), QVariantList(),
                                                    QVariantMap()})
                           << "array";
    QTest::newRow("map") << "{\"a\": 1, \"b\": [true, null]}"
                         << QVariant(QVariantMap{{QStringLiteral("a"), qlonglong(1)},
                                                 {QStringLiteral("b"),
                                                  QVariantList{true, QVariant::fromValue(nullptr)}}})
                         << "map";
}

void tst_HubWsMonitor::valueTextReadsWhatItWrites()
{
    QFETCH(QString, text);
    QFETCH(QVariant, value);
    QFETCH(QString, type);
    const QVariant parsed = ValueText::parse(text);
    const QByteArray packed = NanostateVariant::pack(parsed);
    QVERIFY(!packed.isEmpty());
    QCOMPARE(packed, NanostateVariant::pack(value));
    QCOMPARE(ValueText::typeName(packed), type);
    QCOMPARE(ValueText::json(packed), text);
    QCOMPARE(ValueText::preview(packed, 1000), text);
}

void tst_HubWsMonitor::valueTextTakesOtherTextAsString()
{
    for (const QString &text : {QStringLiteral("hello world"), QString(), QStringLiteral("1,2"),
                                QStringLiteral("{\"a\":"), QStringLiteral("01"), QStringLiteral("True")})
        QCOMPARE(ValueText::parse(text), QVariant(text));
    QCOMPARE(ValueText::parse(QStringLiteral("  12 ")), QVariant(qlonglong(12)));
    // Previews are cut with an ellipsis.
    const QByteArray big = NanostateVariant::pack(QString(500, QLatin1Char('x')));
    const QString preview = ValueText::preview(big, 40);
    QCOMPARE(preview.size(), 40);
    QVERIFY(preview.endsWith(QChar(0x2026)));
    QCOMPARE(ValueText::preview(big, 40, 100), QStringLiteral("(str, 503 bytes)"));
}

void tst_HubWsMonitor::optionsAreTakenFromArguments()
{
    QStringList args = {QStringLiteral("-v"), QStringLiteral("--screenshot"), QStringLiteral("/tmp/x.png"),
                        QStringLiteral("--screenshot-rows=5"), QStringLiteral("-platform"),
                        QStringLiteral("offscreen"), QStringLiteral("--filter"), QStringLiteral("robot/*"),
                        QStringLiteral("--ws-port"), QStringLiteral("0")};
    MonitorOptions options;
    QString error;
    QVERIFY2(MonitorOptions::take(&args, &options, &error), qPrintable(error));
    QCOMPARE(args, QStringList({QStringLiteral("-v"), QStringLiteral("--ws-port"), QStringLiteral("0")}));
    QCOMPARE(options.screenshotFile, QStringLiteral("/tmp/x.png"));
    QCOMPARE(options.screenshotRows, 5);
    QCOMPARE(options.filter, QStringLiteral("robot/*"));
    args = QStringList{QStringLiteral("--screenshot-timeout"), QStringLiteral("soon")};
    QVERIFY(!MonitorOptions::take(&args, &options, &error));
    QVERIFY(error.contains(QLatin1String("--screenshot-timeout")));
}

void tst_HubWsMonitor::modelShowsTableAndChanges()
{
    QVERIFY(openApp(QStringLiteral("sim")));
    QVERIFY(app->setState(QStringLiteral("robot/arm/angle"), 1.5));
    QTRY_VERIFY(hub->engine()->stateCount() == 1);

    // States already in the table come from the engine at once.
    StatesModel model(hub->engine());
    QCOMPARE(model.columnCount(), int(StatesModel::ColumnCount));
    QCOMPARE(model.rowCount(), 1);
    QCOMPARE(model.headerData(StatesModel::ValueColumn, Qt::Horizontal, Qt::DisplayRole).toString(),
             QStringLiteral("Value"));
    auto cell = [&](const QString &name, int column) {
        return model.index(model.rowOf(name), column).data().toString();
    };
    QCOMPARE(cell(QStringLiteral("robot/arm/angle"), StatesModel::ValueColumn), QStringLiteral("1.5"));
    QCOMPARE(cell(QStringLiteral("robot/arm/angle"), StatesModel::TypeColumn), QStringLiteral("float"));
    QCOMPARE(cell(QStringLiteral("robot/arm/angle"), StatesModel::SenderColumn), QStringLiteral("sim"));
    QCOMPARE(cell(QStringLiteral("robot/arm/angle"), StatesModel::UpdatesColumn), QStringLiteral("1"));
    QVERIFY(!cell(QStringLiteral("robot/arm/angle"), StatesModel::ChangedColumn).isEmpty());

    // Later states and changes arrive through stateChanged.
    QVERIFY(app->setState(QStringLiteral("robot/name"), QStringLiteral("r2")));
    QVERIFY(app->setState(QStringLiteral("robot/arm/angle"), 2.25));
    QVERIFY(app->setState(QStringLiteral("other"), QVariantList{1, 2}));
    QTRY_COMPARE(model.rowCount(), 3);
    QTRY_COMPARE(cell(QStringLiteral("robot/arm/angle"), StatesModel::ValueColumn), QStringLiteral("2.25"));
    QCOMPARE(cell(QStringLiteral("robot/arm/angle"), StatesModel::UpdatesColumn), QStringLiteral("2"));
    QCOMPARE(cell(QStringLiteral("robot/name"), StatesModel::ValueColumn), QStringLiteral("\"r2\""));
    QCOMPARE(cell(QStringLiteral("other"), StatesModel::ValueColumn), QStringLiteral("[1, 2]"));
    QCOMPARE(cell(QStringLiteral("other"), StatesModel::TypeColumn), QStringLiteral("array"));
    QCOMPARE(model.index(model.rowOf(QStringLiteral("other")), StatesModel::UpdatesColumn)
                 .data(StatesModel::SortRole),
             QVariant(quint64(1)));

    QVERIFY(app->removeState(QStringLiteral("robot/name")));
    QTRY_COMPARE(model.rowCount(), 2);
    QCOMPARE(model.rowOf(QStringLiteral("robot/name")), -1);
    QCOMPARE(model.stateAt(model.rowOf(QStringLiteral("other"))).name, QStringLiteral("other"));
}

void tst_HubWsMonitor::modelCoalescesUpdates()
{
    HubEngine *engine = hub->engine();
    for (int i = 0; i < 10; ++i)
        QVERIFY(engine->setState(QStringLiteral("load/%1").arg(i), NanostateVariant::pack(0)));
    StatesModel model(engine);
    QCOMPARE(model.rowCount(), 10);
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);

    // 5000 changes of 10 states, 500 new states, 3 removals in one tick.
    for (int n = 1; n <= 500; ++n) {
        for (int i = 0; i < 10; ++i)
            engine->setState(QStringLiteral("load/%1").arg(i), NanostateVariant::pack(n));
        engine->setState(QStringLiteral("new/%1").arg(n), NanostateVariant::pack(n));
    }
    for (int i : {2, 3, 7})
        engine->removeState(QStringLiteral("load/%1").arg(i));
    QCOMPARE(changed.count(), 0); // nothing signalled before the tick
    QVERIFY(QSignalSpy(&model, &StatesModel::flushed).wait(2000));

    QCOMPARE(changed.count(), 1);
    QCOMPARE(inserted.count(), 1);
    QCOMPARE(removed.count(), 2); // rows 7, then the run 2..3
    QCOMPARE(model.rowCount(), 10 - 3 + 500);
    const QModelIndex first = changed.first().at(0).value<QModelIndex>();
    QCOMPARE(first.column(), int(StatesModel::ValueColumn)); // never the name, never one cell
    QCOMPARE(model.index(model.rowOf(QStringLiteral("load/9")), StatesModel::ValueColumn).data().toString(),
             QStringLiteral("500"));
    QCOMPARE(model.index(model.rowOf(QStringLiteral("load/9")), StatesModel::UpdatesColumn).data().toString(),
             QStringLiteral("501"));
    for (int row = 0; row < model.rowCount(); ++row)
        QCOMPARE(model.rowOf(model.stateAt(row).name), row);
}

void tst_HubWsMonitor::filterGlobStarCrossesSlash()
{
    HubEngine *engine = hub->engine();
    for (const char *name : {"robot/arm/angle", "robot/arm/speed", "robot/name", "robots", "sensor/1/temp",
                             "sensor/2/temp", "Robot/Other"})
        QVERIFY(engine->setState(QLatin1String(name), NanostateVariant::pack(1)));
    StatesModel model(engine);
    StatesFilter filter;
    filter.setSourceModel(&model);
    filter.sort(StatesModel::NameColumn);
    auto names = [&] {
        QStringList list;
        for (int row = 0; row < filter.rowCount(); ++row)
            list << filter.index(row, StatesModel::NameColumn).data().toString();
        return list;
    };
    QCOMPARE(filter.rowCount(), 7);
    filter.setPattern(QStringLiteral("robot/*"));
    QVERIFY(filter.isGlob());
    QCOMPARE(names(), QStringList({QStringLiteral("robot/arm/angle"), QStringLiteral("robot/arm/speed"),
                                   QStringLiteral("robot/name")}));
    filter.setPattern(QStringLiteral("*/temp"));
    QCOMPARE(names(), QStringList({QStringLiteral("sensor/1/temp"), QStringLiteral("sensor/2/temp")}));
    filter.setPattern(QStringLiteral("sensor/?/temp"));
    QCOMPARE(filter.rowCount(), 2);
    filter.setPattern(QStringLiteral("robot?arm*"));
    QCOMPARE(filter.rowCount(), 2);
    // Plain text: the names containing it, ignoring case.
    filter.setPattern(QStringLiteral("robot"));
    QVERIFY(!filter.isGlob());
    QCOMPARE(filter.rowCount(), 5);
    filter.setPattern(QStringLiteral("ARM/"));
    QCOMPARE(filter.rowCount(), 2);
    filter.setPattern(QString());
    QCOMPARE(filter.rowCount(), 7);

    // New states pass through the filter as they come.
    filter.setPattern(QStringLiteral("robot/*"));
    QVERIFY(engine->setState(QStringLiteral("robot/arm/force"), NanostateVariant::pack(3)));
    QVERIFY(engine->setState(QStringLiteral("elsewhere"), NanostateVariant::pack(3)));
    QTRY_COMPARE(filter.rowCount(), 4);
    QCOMPARE(names().first(), QStringLiteral("robot/arm/angle"));
    QCOMPARE(names().at(1), QStringLiteral("robot/arm/force"));

    // Sorted by number, not by text.
    for (int i = 0; i < 12; ++i)
        QVERIFY(engine->setState(QStringLiteral("robot/name"), NanostateVariant::pack(i)));
    model.flush();
    filter.sort(StatesModel::UpdatesColumn, Qt::DescendingOrder);
    QCOMPARE(names().first(), QStringLiteral("robot/name"));
}

void tst_HubWsMonitor::editingPublishes()
{
    QVERIFY(openApp(QStringLiteral("watcher")));
    QVERIFY(app->setState(QStringLiteral("robot/name"), QStringLiteral("r2")));
    QVERIFY(app->setState(QStringLiteral("robot/limits"), QVariantMap{{QStringLiteral("max"), 10}}));
    QTRY_COMPARE(hub->engine()->stateCount(), 2);

    MonitorOptions options;
    MonitorWindow window(hub.data(), options);
    StatesFilter *filter = window.statesFilter();
    QCOMPARE(filter->rowCount(), 2);
    auto valueIndex = [&](const QString &name) {
        for (int row = 0; row < filter->rowCount(); ++row) {
            const QModelIndex i = filter->index(row, StatesModel::NameColumn);
            if (i.data().toString() == name)
                return filter->index(row, StatesModel::ValueColumn);
        }
        return QModelIndex();
    };
    const QModelIndex name = valueIndex(QStringLiteral("robot/name"));
    QVERIFY(name.flags() & Qt::ItemIsEditable);
    QVERIFY(!filter->index(0, StatesModel::NameColumn).flags().testFlag(Qt::ItemIsEditable));
    QCOMPARE(name.data(Qt::EditRole).toString(), QStringLiteral("\"r2\""));

    // Text that is JSON is published as its value, through the view's proxy.
    QVERIFY(filter->setData(name, QStringLiteral("\"r3\"")));
    QTRY_COMPARE(app->state(QStringLiteral("robot/name")), QVariant(QStringLiteral("r3")));
    QCOMPARE(app->stateSender(QStringLiteral("robot/name")), QStringLiteral("$hub"));
    QVERIFY(filter->setData(valueIndex(QStringLiteral("robot/limits")),
                            QStringLiteral("{\"max\": 12, \"min\": -1.5}")));
    QTRY_COMPARE(app->state(QStringLiteral("robot/limits")),
                 QVariant(QVariantMap{{QStringLiteral("max"), 12}, {QStringLiteral("min"), -1.5}}));
    // Anything else is a string.
    QVERIFY(filter->setData(valueIndex(QStringLiteral("robot/name")), QStringLiteral("R2 D2")));
    QTRY_COMPARE(app->state(QStringLiteral("robot/name")), QVariant(QStringLiteral("R2 D2")));
    QTRY_COMPARE(valueIndex(QStringLiteral("robot/name")).data().toString(), QStringLiteral("\"R2 D2\""));
    QCOMPARE(filter->index(valueIndex(QStringLiteral("robot/name")).row(), StatesModel::SenderColumn)
                 .data()
                 .toString(),
             QStringLiteral("$hub"));

    // Through the view's own editor, as a user would.
    QTableView *view = window.statesView();
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    const QModelIndex target = valueIndex(QStringLiteral("robot/name"));
    view->setCurrentIndex(target);
    view->edit(target);
    QWidget *editor = view->indexWidget(target) ? view->indexWidget(target) : QApplication::focusWidget();
    auto *line = qobject_cast<QLineEdit *>(editor);
    QVERIFY(line);
    line->setText(QStringLiteral("[1, 2, 3]"));
    QTest::keyClick(line, Qt::Key_Return);
    QTRY_COMPARE(app->state(QStringLiteral("robot/name")), QVariant(QVariantList{1, 2, 3}));
}

void tst_HubWsMonitor::clientsModelListsWebSocketPeers()
{
    ClientsModel model(hub->server());
    QCOMPARE(model.rowCount(), 0);
    QCOMPARE(model.columnCount(), int(ClientsModel::ColumnCount));
    QWebSocket ws;
    ws.open(QUrl(hub->server()->url()));
    QTRY_COMPARE(model.rowCount(), 1);
    const QString address = model.index(0, ClientsModel::AddressColumn).data().toString();
    QVERIFY2(address.startsWith(QLatin1String("127.0.0.1:")), qPrintable(address));
    QCOMPARE(address, QStringLiteral("127.0.0.1:%1").arg(ws.localPort()));
    QCOMPARE(model.index(0, ClientsModel::OriginColumn).data().toString(), QStringLiteral("(none)"));
    QCOMPARE(model.index(0, ClientsModel::QueuedColumn).data().toString(), QStringLiteral("0"));
    QCOMPARE(model.index(0, ClientsModel::StatusColumn).data().toString(), QStringLiteral("open"));
    QCOMPARE(model.client(0)->messagesIn(), quint64(0));
    model.refresh();
    ws.close();
    QTRY_COMPARE(model.rowCount(), 0);
}

void tst_HubWsMonitor::rateGraphReceivesSamples()
{
    QVERIFY(openApp());
    RateSampler sampler(hub->engine(), 100);
    RateGraph graph;
    connect(&sampler, &RateSampler::sampled, &graph, &RateGraph::addSample);
    for (int i = 0; i < 50; ++i)
        QVERIFY(app->setState(QStringLiteral("counter"), i));
    QTRY_VERIFY(graph.sampleCount() >= 3);
    QTRY_VERIFY([&] {
        for (double rate : graph.inSamples())
            if (rate > 0)
                return true;
        return false;
    }());
    QCOMPARE(graph.outSamples().size(), graph.sampleCount());
    for (int i = 0; i < 70; ++i)
        graph.addSample(i, 2 * i);
    QCOMPARE(graph.sampleCount(), graph.capacity());
    QCOMPARE(graph.inSamples().last(), 69.0);
    QCOMPARE(graph.outSamples().first(), 20.0); // the oldest ten fell out
    graph.resize(graph.sizeHint());
    const QString file = screenshotDir() + QStringLiteral("/tst_hubwsmonitor-rategraph.png");
    QVERIFY(graph.grab().save(file, "PNG"));
    qInfo("rate graph %s", qPrintable(file));

    // The window's own graph is fed once a second.
    MonitorWindow window(hub.data());
    QTRY_VERIFY_WITH_TIMEOUT(window.rateGraph()->sampleCount() >= 1, 3000);
}

void tst_HubWsMonitor::logViewShowsHubLog()
{
    MonitorWindow window(hub.data());
    emit hub->logged(1, QStringLiteral("something <odd> happened"));
    emit hub->logged(0, QStringLiteral("a client joined"));
    QTRY_VERIFY(window.logView()->toPlainText().contains(QLatin1String("a client joined")));
    QVERIFY(window.logView()->toPlainText().contains(QLatin1String("warning: something <odd> happened")));

    LogView log;
    for (int i = 0; i < LogView::maxBatch + 50; ++i)
        log.appendLine(0, QStringLiteral("line %1").arg(i));
    log.flush();
    QCOMPARE(log.skippedLines(), 50);
    QVERIFY(log.toPlainText().contains(QLatin1String("(50 lines skipped)")));
    QVERIFY(log.toPlainText().contains(QStringLiteral("line %1").arg(LogView::maxBatch + 49)));
}

void tst_HubWsMonitor::screenshotShowsRows()
{
    QVERIFY(openApp(QStringLiteral("robot-sim")));
    const QVariantMap pose{{QStringLiteral("x"), 1.25}, {QStringLiteral("y"), -0.5},
                           {QStringLiteral("theta"), 90}};
    QVERIFY(app->setState(QStringLiteral("robot/arm/angle"), 42.5));
    QVERIFY(app->setState(QStringLiteral("robot/arm/speed"), 0.75));
    QVERIFY(app->setState(QStringLiteral("robot/name"), QStringLiteral("R2")));
    QVERIFY(app->setState(QStringLiteral("robot/pose"), pose));
    QVERIFY(app->setState(QStringLiteral("robot/enabled"), true));
    QVERIFY(app->setState(QStringLiteral("robot/firmware"), QByteArray("\x7f" "ELF\x02\x01", 6)));
    QVERIFY(app->setState(QStringLiteral("sensors/temperature"), QVariantList{21.5, 21.75, 22.0}));
    QVERIFY(app->setState(QStringLiteral("ui/message"),
                          QStringLiteral("A long message that does not fit in the value column, so the "
                                         "preview is cut with an ellipsis once it gets too wide to show.")));
    for (int i = 0; i < 12; ++i)
        QVERIFY(app->setState(QStringLiteral("counter"), i));
    const int appStates = 9;

    QWebSocket ws;
    ws.open(QUrl(hub->server()->url()));

    const QString file = screenshotDir() + QStringLiteral("/tst_hubwsmonitor.png");
    QFile::remove(file);
    MonitorOptions options;
    options.screenshotFile = file;
    options.screenshotRows = appStates + 4; // and some $hub/ figures
    options.screenshotTimeoutMs = 8000;
    options.quitAfterScreenshot = false;
    MonitorWindow window(hub.data(), options);
    QSignalSpy taken(&window, &MonitorWindow::screenshotTaken);
    window.show();
    QTRY_COMPARE(window.clientsModel()->rowCount(), 1);
    // The screenshot may come while the line above waits: wait for it to
    // have come, not for another one.
    QTRY_VERIFY_WITH_TIMEOUT(taken.count() > 0, 10000);
    QCOMPARE(taken.first().at(0).toString(), file);
    const int rows = taken.first().at(1).toInt();
    QVERIFY(taken.first().at(2).toBool());
    QVERIFY2(rows >= options.screenshotRows, qPrintable(QString::number(rows)));
    qInfo("screenshot %s rows %d", qPrintable(file), rows);

    const QImage image(file);
    QVERIFY(!image.isNull());
    QCOMPARE(image.size(), window.size() * window.devicePixelRatioF());
    // Every row is inside the table's viewport, so in the picture.
    QTableView *view = window.statesView();
    const QRect visible = view->viewport()->rect();
    for (int row = 0; row < rows; ++row)
        QVERIFY2(visible.contains(view->visualRect(window.statesFilter()->index(row, 0))),
                 qPrintable(QString::number(row)));
    // The table is not blank: the name cell of the last row (an App's
    // state, in black) holds text pixels.
    const QRect cell = view->visualRect(window.statesFilter()->index(rows - 1, 0));
    const QPoint origin = view->viewport()->mapTo(&window, cell.topLeft());
    int dark = 0;
    for (int y = origin.y(); y < origin.y() + cell.height(); ++y)
        for (int x = origin.x(); x < origin.x() + cell.width(); ++x)
            dark += qGray(image.pixel(x, y)) < 128;
    QVERIFY2(dark > 20, qPrintable(QString::number(dark)));
}

QTEST_MAIN(tst_HubWsMonitor)
#include "tst_hubwsmonitor.moc"
