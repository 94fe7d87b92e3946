// SPDX-License-Identifier: MIT
#ifndef MONITORWINDOW_H
#define MONITORWINDOW_H

#include "monitoroptions.h"

#include <QtCore/QTimer>
#include <QtWidgets/QMainWindow>

class ClientsModel;
class HubWs;
class LogView;
class QLabel;
class QLineEdit;
class QTableView;
class RateGraph;
class RateSampler;
class StatesFilter;
class StatesModel;

// The monitor of nanostate-hubws: a view over a started HubWs (its engine
// and WebSocket server), which keeps forwarding whether or not the window
// is open. Shows
//   - every state (StatesModel through StatesFilter), filtered by the box
//     above the table; double-click a value to publish a new one
//   - the WebSocket clients (ClientsModel) and the nanomsg side's counters
//   - messages per second over the last minute (RateSampler, RateGraph)
//   - the hub's log (LogView)
// Create it after HubWs::start() and delete it before the HubWs.
class MonitorWindow : public QMainWindow
{
    Q_OBJECT
public:
    explicit MonitorWindow(HubWs *hub, const MonitorOptions &options = MonitorOptions(),
                           QWidget *parent = nullptr);
    ~MonitorWindow() override;

    StatesModel *statesModel() const { return states; }
    StatesFilter *statesFilter() const { return filter; }
    ClientsModel *clientsModel() const { return clients; }
    RateSampler *rateSampler() const { return sampler; }
    RateGraph *rateGraph() const { return graph; }
    LogView *logView() const { return log; }
    QTableView *statesView() const { return statesTable; }
    QLineEdit *filterEdit() const { return filterBox; }

Q_SIGNALS:
    // --screenshot: the picture was saved (ok) or could not be.
    void screenshotTaken(const QString &file, int rows, bool ok);

private:
    QWidget *makeStatesPane();
    QWidget *makeClientsPane();
    QWidget *makeGraphPane();
    void refresh(); // the figures that are not signalled, once a second
    void updateCount();
    void onScreenshot(const QString &file, int rows, bool ok);

    HubWs *hub;
    MonitorOptions options;
    StatesModel *states;
    StatesFilter *filter;
    ClientsModel *clients;
    RateSampler *sampler;
    RateGraph *graph = nullptr;
    LogView *log = nullptr;
    QTableView *statesTable = nullptr;
    QLineEdit *filterBox = nullptr;
    QLabel *countLabel = nullptr;
    QLabel *nanomsgFigures = nullptr;
    QLabel *wsFigures = nullptr;
    QLabel *allFigures = nullptr;
    QLabel *hubLabel = nullptr;
    QTimer refreshTimer;
};

#endif // MONITORWINDOW_H
