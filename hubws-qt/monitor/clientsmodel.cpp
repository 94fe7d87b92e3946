// SPDX-License-Identifier: MIT
#include "clientsmodel.h"
#include "wsclient.h"
#include "wsserver.h"

#include <QtCore/QLocale>

ClientsModel::ClientsModel(WsServer *server, QObject *parent)
    : QAbstractTableModel(parent), clients(server->clients())
{
    connect(server, &WsServer::clientAdded, this, &ClientsModel::onAdded);
    connect(server, &WsServer::clientRemoved, this, &ClientsModel::onRemoved);
}

int ClientsModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : clients.size();
}

int ClientsModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant ClientsModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= clients.size())
        return QVariant();
    const WsClient *c = clients.at(index.row());
    if (role == Qt::TextAlignmentRole) {
        if (index.column() == InColumn || index.column() == OutColumn
            || index.column() == QueuedColumn)
            return int(Qt::AlignRight | Qt::AlignVCenter);
        return QVariant();
    }
    if (role == Qt::ToolTipRole && index.column() == ConnectedColumn)
        return c->connectedAt().toString(Qt::ISODate);
    if (role != Qt::DisplayRole)
        return QVariant();
    const QLocale locale;
    switch (index.column()) {
    case AddressColumn:
        return c->address();
    case OriginColumn:
        return c->origin().isEmpty() ? tr("(none)") : c->origin();
    case IdentityColumn:
        return c->identity();
    case ConnectedColumn:
        return c->connectedAt().toLocalTime().toString(QStringLiteral("HH:mm:ss"));
    case InColumn:
        return locale.toString(c->messagesIn());
    case OutColumn:
        return locale.toString(c->messagesOut());
    case QueuedColumn:
        return locale.toString(c->backlog());
    case StatusColumn: {
        QString status = c->isClosing() ? tr("closing") : c->isPaused() ? tr("paused") : tr("open");
        if (c->isEncrypted())
            status += tr(", TLS");
        return status;
    }
    }
    return QVariant();
}

QVariant ClientsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation == Qt::Horizontal && role == Qt::TextAlignmentRole
        && (section == InColumn || section == OutColumn || section == QueuedColumn))
        return int(Qt::AlignRight | Qt::AlignVCenter);
    if (orientation == Qt::Horizontal && role == Qt::ToolTipRole) {
        switch (section) {
        case InColumn: return tr("Messages received from the client");
        case OutColumn: return tr("Messages sent to the client");
        case QueuedColumn: return tr("Bytes the client's socket has not sent yet");
        }
    }
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case AddressColumn: return tr("Address");
    case OriginColumn: return tr("Origin");
    case IdentityColumn: return tr("Identity");
    case ConnectedColumn: return tr("Since");
    case InColumn: return tr("In");
    case OutColumn: return tr("Out");
    case QueuedColumn: return tr("Queued");
    case StatusColumn: return tr("Status");
    }
    return QVariant();
}

void ClientsModel::refresh()
{
    if (!clients.isEmpty())
        emit dataChanged(index(0, 0), index(clients.size() - 1, ColumnCount - 1));
}

void ClientsModel::onAdded(WsClient *client)
{
    beginInsertRows(QModelIndex(), clients.size(), clients.size());
    clients.append(client);
    endInsertRows();
}

void ClientsModel::onRemoved(WsClient *client)
{
    const int row = clients.indexOf(client);
    if (row < 0)
        return;
    beginRemoveRows(QModelIndex(), row, row);
    clients.remove(row);
    endRemoveRows();
}
