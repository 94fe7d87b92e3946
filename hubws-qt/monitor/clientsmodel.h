// SPDX-License-Identifier: MIT
#ifndef CLIENTSMODEL_H
#define CLIENTSMODEL_H

#include <QtCore/QAbstractTableModel>
#include <QtCore/QVector>

class WsClient;
class WsServer;

// The WebSocket clients of the hub, one row each, as WsServer announces
// them. Their counters move with every frame, so they are not signalled:
// refresh() (the window calls it once a second) updates the figures.
class ClientsModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { AddressColumn, OriginColumn, IdentityColumn, ConnectedColumn, InColumn, OutColumn,
                  QueuedColumn, StatusColumn, ColumnCount };

    explicit ClientsModel(WsServer *server, QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    int columnCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

    WsClient *client(int row) const { return clients.value(row); }

public Q_SLOTS:
    void refresh();

private:
    void onAdded(WsClient *client);
    void onRemoved(WsClient *client);

    QVector<WsClient *> clients;
};

#endif // CLIENTSMODEL_H
