// SPDX-License-Identifier: MIT
#include "monitorwindow.h"
#include "clientsmodel.h"
#include "hubengine.h"
#include "hubws.h"
#include "logview.h"
#include "rategraph.h"
#include "ratesampler.h"
#include "screenshottaker.h"
#include "statesfilter.h"
#include "statesmodel.h"
#include "wsserver.h"

#include <QtCore/QCoreApplication>
#include <QtCore/QDateTime>
#include <QtCore/QLocale>
#include <QtWidgets/QGridLayout>
#include <QtWidgets/QHBoxLayout>
#include <QtWidgets/QHeaderView>
#include <QtWidgets/QLabel>
#include <QtWidgets/QLineEdit>
#include <QtWidgets/QSplitter>
#include <QtWidgets/QStatusBar>
#include <QtWidgets/QTabWidget>
#include <QtWidgets/QTableView>
#include <QtWidgets/QVBoxLayout>

#include <cstdio>

namespace {
QTableView *makeTable(QWidget *parent)
{
    auto *table = new QTableView(parent);
    table->setAlternatingRowColors(true);
    table->setSelectionBehavior(QAbstractItemView::SelectRows);
    table->setSelectionMode(QAbstractItemView::SingleSelection);
    table->setWordWrap(false);
    table->setTextElideMode(Qt::ElideRight);
    table->setShowGrid(false);
    table->verticalHeader()->hide();
    // Fixed row heights: the view need not measure rows that change all the time.
    table->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    table->verticalHeader()->setDefaultSectionSize(table->fontMetrics().height() + 6);
    table->horizontalHeader()->setHighlightSections(false);
    table->horizontalHeader()->setDefaultAlignment(Qt::AlignLeft | Qt::AlignVCenter);
    return table;
}

QString count(quint64 n)
{
    return QLocale().toString(n);
}

QString counted(quint64 n, const QString &one, const QString &many)
{
    return n == 1 ? one : many.arg(count(n));
}
} // namespace

MonitorWindow::MonitorWindow(HubWs *hub, const MonitorOptions &options, QWidget *parent)
    : QMainWindow(parent),
      hub(hub),
      options(options),
      states(new StatesModel(hub->engine(), this)),
      filter(new StatesFilter(this)),
      clients(new ClientsModel(hub->server(), this)),
      sampler(new RateSampler(hub->engine(), 1000, this))
{
    setWindowTitle(tr("Nanostate hub - %1").arg(hub->server()->url()));
    filter->setSourceModel(states);

    auto *bottom = new QSplitter(Qt::Horizontal);
    auto *tabs = new QTabWidget;
    tabs->setDocumentMode(true);
    tabs->addTab(makeClientsPane(), tr("Clients"));
    log = new LogView;
    tabs->addTab(log, tr("Log"));
    bottom->addWidget(tabs);
    bottom->addWidget(makeGraphPane());
    bottom->setStretchFactor(0, 1);
    bottom->setStretchFactor(1, 0);

    auto *main = new QSplitter(Qt::Vertical);
    main->addWidget(makeStatesPane());
    main->addWidget(bottom);
    main->setStretchFactor(0, 1);
    main->setStretchFactor(1, 0);
    main->setChildrenCollapsible(false);
    setCentralWidget(main);
    resize(1200, 900);
    main->setSizes({620, 250});
    bottom->setSizes({800, 400});

    hubLabel = new QLabel;
    statusBar()->addWidget(hubLabel, 1);
    statusBar()->setSizeGripEnabled(true);

    connect(hub, &HubWs::logged, log, &LogView::appendLine);
    connect(sampler, &RateSampler::sampled, graph, &RateGraph::addSample);
    connect(states, &StatesModel::publishFailed, this, [this](const QString &name, const QString &error) {
        statusBar()->showMessage(tr("Could not publish %1: %2").arg(name, error), 8000);
    });
    connect(filter, &QAbstractItemModel::rowsInserted, this, &MonitorWindow::updateCount);
    connect(filter, &QAbstractItemModel::rowsRemoved, this, &MonitorWindow::updateCount);
    connect(filter, &QAbstractItemModel::modelReset, this, &MonitorWindow::updateCount);
    connect(filter, &QAbstractItemModel::layoutChanged, this, &MonitorWindow::updateCount);
    // Figures follow the table's ticks while states change, else once a second.
    connect(states, &StatesModel::flushed, this, &MonitorWindow::refresh);
    connect(clients, &QAbstractItemModel::rowsInserted, this, &MonitorWindow::refresh);
    connect(clients, &QAbstractItemModel::rowsRemoved, this, &MonitorWindow::refresh);
    connect(&refreshTimer, &QTimer::timeout, this, &MonitorWindow::refresh);
    refreshTimer.start(1000);

    filterBox->setText(options.filter);
    updateCount();
    refresh();

    if (!options.screenshotFile.isEmpty()) {
        auto *taker = new ScreenshotTaker(this, filter, options.screenshotFile, options.screenshotRows,
                                          options.screenshotTimeoutMs, this);
        connect(taker, &ScreenshotTaker::taken, this, &MonitorWindow::onScreenshot);
    }
}

MonitorWindow::~MonitorWindow() = default;

QWidget *MonitorWindow::makeStatesPane()
{
    auto *pane = new QWidget;
    auto *layout = new QVBoxLayout(pane);
    layout->setContentsMargins(8, 8, 8, 4);

    auto *bar = new QHBoxLayout;
    auto *label = new QLabel(tr("&Filter:"));
    filterBox = new QLineEdit;
    filterBox->setClearButtonEnabled(true);
    filterBox->setPlaceholderText(tr("part of a name, or a glob such as robot/* ('*' also matches '/')"));
    filterBox->setToolTip(tr("Text: the names containing it, ignoring case.\n"
                             "With * ? or [...]: a glob on the whole name, as the nanostate tool's;\n"
                             "'*' also matches '/': robot/* covers robot/arm/angle."));
    label->setBuddy(filterBox);
    countLabel = new QLabel;
    countLabel->setMinimumWidth(countLabel->fontMetrics().horizontalAdvance(
        tr("%1 of %2 states").arg(count(100000), count(100000))));
    countLabel->setAlignment(Qt::AlignRight | Qt::AlignVCenter);
    bar->addWidget(label);
    bar->addWidget(filterBox, 1);
    bar->addWidget(countLabel);
    layout->addLayout(bar);
    connect(filterBox, &QLineEdit::textChanged, filter, &StatesFilter::setPattern);
    connect(filterBox, &QLineEdit::textChanged, this, &MonitorWindow::updateCount);

    statesTable = makeTable(pane);
    statesTable->setModel(filter);
    statesTable->setSortingEnabled(true);
    statesTable->sortByColumn(StatesModel::NameColumn, Qt::AscendingOrder);
    statesTable->setEditTriggers(QAbstractItemView::DoubleClicked | QAbstractItemView::EditKeyPressed);
    QHeaderView *header = statesTable->horizontalHeader();
    header->setSectionResizeMode(QHeaderView::Interactive);
    header->setSectionResizeMode(StatesModel::ValueColumn, QHeaderView::Stretch);
    const QFontMetrics fm = statesTable->fontMetrics();
    statesTable->setColumnWidth(StatesModel::NameColumn, fm.horizontalAdvance(QLatin1Char('m')) * 22);
    statesTable->setColumnWidth(StatesModel::TypeColumn, fm.horizontalAdvance(QStringLiteral("array__")) + 12);
    statesTable->setColumnWidth(StatesModel::SenderColumn, fm.horizontalAdvance(QLatin1Char('m')) * 12);
    statesTable->setColumnWidth(StatesModel::UpdatesColumn, fm.horizontalAdvance(QStringLiteral("Updates____")));
    statesTable->setColumnWidth(StatesModel::ChangedColumn, fm.horizontalAdvance(QStringLiteral("00:00:00.000")) + 40);
    layout->addWidget(statesTable, 1);
    return pane;
}

QWidget *MonitorWindow::makeClientsPane()
{
    auto *pane = new QWidget;
    auto *layout = new QVBoxLayout(pane);
    layout->setContentsMargins(8, 6, 8, 4);
    auto *figures = new QGridLayout;
    figures->setHorizontalSpacing(12);
    figures->setVerticalSpacing(2);
    int line = 0;
    for (auto *value : {&nanomsgFigures, &wsFigures, &allFigures}) {
        static const char *const captions[] = {QT_TR_NOOP("nanomsg"), QT_TR_NOOP("WebSocket"),
                                               QT_TR_NOOP("All frames")};
        auto *caption = new QLabel(tr(captions[line]));
        QFont bold = caption->font();
        bold.setBold(true);
        caption->setFont(bold);
        *value = new QLabel;
        (*value)->setTextFormat(Qt::PlainText);
        (*value)->setTextInteractionFlags(Qt::TextSelectableByMouse);
        figures->addWidget(caption, line, 0);
        figures->addWidget(*value, line, 1);
        ++line;
    }
    figures->setColumnStretch(1, 1);
    layout->addLayout(figures);

    auto *table = makeTable(pane);
    table->setModel(clients);
    table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    QHeaderView *header = table->horizontalHeader();
    header->setSectionResizeMode(QHeaderView::Interactive);
    header->setStretchLastSection(true);
    const QFontMetrics fm = table->fontMetrics();
    const auto width = [&](const char *sample) { return fm.horizontalAdvance(QLatin1String(sample)) + 16; };
    table->setColumnWidth(ClientsModel::AddressColumn, width("127.0.0.1:65535"));
    table->setColumnWidth(ClientsModel::OriginColumn, width("http://host:8080"));
    table->setColumnWidth(ClientsModel::IdentityColumn, width("robot-sim"));
    table->setColumnWidth(ClientsModel::ConnectedColumn, width("00:00:00"));
    table->setColumnWidth(ClientsModel::InColumn, width("100,000"));
    table->setColumnWidth(ClientsModel::OutColumn, width("1,000,000"));
    table->setColumnWidth(ClientsModel::QueuedColumn, width("Queued_"));
    layout->addWidget(table, 1);
    return pane;
}

QWidget *MonitorWindow::makeGraphPane()
{
    auto *pane = new QWidget;
    auto *layout = new QVBoxLayout(pane);
    layout->setContentsMargins(8, 6, 8, 4);
    auto *title = new QLabel(tr("Messages per second"));
    QFont bold = title->font();
    bold.setBold(true);
    title->setFont(bold);
    layout->addWidget(title);
    graph = new RateGraph;
    layout->addWidget(graph, 1);
    return pane;
}

void MonitorWindow::updateCount()
{
    const int total = states->rowCount();
    const int shown = filter->rowCount();
    countLabel->setText(shown == total ? tr("%1 states").arg(count(quint64(total)))
                                       : tr("%1 of %2 states").arg(count(quint64(shown)),
                                                                   count(quint64(total))));
}

void MonitorWindow::refresh()
{
    clients->refresh();
    const HubEngine *e = hub->engine();
    const WsServer *s = hub->server();
    const WsServer::Counters c = s->counters();
    const quint64 in = e->stat(NANOSTATE_HUB_STAT_FRAMES_IN);
    const quint64 out = e->stat(NANOSTATE_HUB_STAT_FRAMES_OUT);
    const qint64 nn = e->nanomsgConnections();
    const QString sep = QStringLiteral("  \u00b7  ");
    // The engine counts frames of both transports: what did not come over
    // WebSocket came over nanomsg. Out, the engine counts a broadcast once
    // and the server once per client, so out has no such split.
    nanomsgFigures->setText(
        (nn < 0 ? tr("connections unknown (--stats 0)")
                : counted(quint64(nn), tr("1 connection"), tr("%1 connections")))
        + sep + tr("%1 frames in").arg(count(in - qMin(in, c.messagesIn))));
    wsFigures->setText(counted(quint64(s->clientCount()), tr("1 client"), tr("%1 clients")) + sep
                       + tr("%1 paused").arg(count(quint64(s->pausedCount()))) + sep
                       + tr("%1 messages in, %2 out").arg(count(c.messagesIn), count(c.messagesOut)) + sep
                       + tr("%1 bytes queued").arg(count(quint64(qMax<qint64>(0, s->backlog())))));
    allFigures->setText(tr("%1 in, %2 out").arg(count(in), count(out)) + sep
                        + tr("%1 rejected")
                              .arg(count(e->stat(NANOSTATE_HUB_STAT_REJECTED) + c.refusedWrites))
                        + sep
                        + tr("%1 states").arg(count(quint64(e->stateCount()))));
    hubLabel->setText(tr("nanomsg %1    WebSocket %2    seq %3    epoch %4")
                          .arg(hub->config().effectiveBinds().join(QStringLiteral(", ")), s->url(),
                               count(e->seq()), QString::number(e->epoch())));
}

void MonitorWindow::onScreenshot(const QString &file, int rows, bool ok)
{
    const QByteArray line = ok ? QStringLiteral("screenshot %1 rows %2\n").arg(file).arg(rows).toLocal8Bit()
                               : QStringLiteral("screenshot %1 could not be written\n").arg(file).toLocal8Bit();
    std::fwrite(line.constData(), 1, size_t(line.size()), ok ? stdout : stderr);
    std::fflush(ok ? stdout : stderr);
    emit screenshotTaken(file, rows, ok);
    if (options.quitAfterScreenshot)
        QCoreApplication::exit(ok ? 0 : 1);
}
