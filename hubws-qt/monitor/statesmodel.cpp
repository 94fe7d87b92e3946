// SPDX-License-Identifier: MIT
#include "statesmodel.h"
#include "hubengine.h"
#include "valuetext.h"

#include <nanostatevariant.h>

#include <QtCore/QDateTime>
#include <QtGui/QColor>

#include <algorithm>

StatesModel::StatesModel(HubEngine *engine, QObject *parent)
    : QAbstractTableModel(parent), engine(engine)
{
    QVector<HubState> all = engine->states();
    std::sort(all.begin(), all.end(),
              [](const HubState &a, const HubState &b) { return a.name < b.name; });
    rows.reserve(all.size());
    for (const HubState &st : all) {
        rowByName.insert(st.name, rows.size());
        rows.append(Row{st, QString(), QString()});
    }
    flushTimer.setInterval(100);
    flushTimer.setSingleShot(true);
    connect(&flushTimer, &QTimer::timeout, this, &StatesModel::flush);
    connect(engine, &HubEngine::stateChanged, this, &StatesModel::onStateChanged);
}

int StatesModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : rows.size();
}

int StatesModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QString StatesModel::preview(const Row &row) const
{
    if (row.preview.isEmpty())
        row.preview = ValueText::preview(row.state.value, previewChars);
    return row.preview;
}

QString StatesModel::type(const Row &row) const
{
    if (row.type.isEmpty())
        row.type = ValueText::typeName(row.state.value);
    return row.type;
}

QVariant StatesModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= rows.size())
        return QVariant();
    const Row &row = rows.at(index.row());
    const HubState &st = row.state;
    const int column = index.column();
    if (role == PackedRole)
        return st.value;
    if (role == Qt::DisplayRole || role == SortRole) {
        switch (column) {
        case NameColumn:
            return st.name;
        case ValueColumn:
            return preview(row);
        case TypeColumn:
            return type(row);
        case SenderColumn:
            return st.sender;
        case UpdatesColumn:
            return role == SortRole ? QVariant(st.updates) : QVariant(QString::number(st.updates));
        case ChangedColumn: {
            if (role == SortRole)
                return st.changedMs;
            const QDateTime when = QDateTime::fromMSecsSinceEpoch(st.changedMs);
            if (when.date() == QDate::currentDate())
                return when.toString(QStringLiteral("HH:mm:ss.zzz"));
            return when.toString(QStringLiteral("yyyy-MM-dd HH:mm:ss"));
        }
        }
    } else if (role == Qt::EditRole && column == ValueColumn) {
        return ValueText::json(st.value);
    } else if (role == Qt::ToolTipRole) {
        if (column == ChangedColumn)
            return QDateTime::fromMSecsSinceEpoch(st.changedMs).toString(Qt::ISODateWithMs);
        if (column == ValueColumn)
            return QStringLiteral("%1 bytes, version %2%3")
                .arg(st.value.size())
                .arg(st.version)
                .arg(st.value.size() <= maxEditBytes ? QStringLiteral(" - double-click to edit")
                                                     : QString());
        if (column == NameColumn)
            return st.name;
    } else if (role == Qt::TextAlignmentRole) {
        if (column == UpdatesColumn || column == ChangedColumn)
            return int(Qt::AlignRight | Qt::AlignVCenter);
    } else if (role == Qt::ForegroundRole) {
        // The hub's own figures ($hub/...) step back behind the Apps' states.
        if (st.name.startsWith(QLatin1Char('$')) && column != ValueColumn)
            return QColor(Qt::gray);
    }
    return QVariant();
}

QVariant StatesModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation == Qt::Horizontal && role == Qt::TextAlignmentRole
        && (section == UpdatesColumn || section == ChangedColumn))
        return int(Qt::AlignRight | Qt::AlignVCenter);
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case NameColumn: return tr("Name");
    case ValueColumn: return tr("Value");
    case TypeColumn: return tr("Type");
    case SenderColumn: return tr("Sender");
    case UpdatesColumn: return tr("Updates");
    case ChangedColumn: return tr("Last change");
    }
    return QVariant();
}

Qt::ItemFlags StatesModel::flags(const QModelIndex &index) const
{
    Qt::ItemFlags f = QAbstractTableModel::flags(index);
    if (index.isValid() && index.column() == ValueColumn && index.row() < rows.size()
        && rows.at(index.row()).state.value.size() <= maxEditBytes)
        f |= Qt::ItemIsEditable;
    return f;
}

bool StatesModel::setData(const QModelIndex &index, const QVariant &value, int role)
{
    if (role != Qt::EditRole || !index.isValid() || index.column() != ValueColumn
        || index.row() >= rows.size())
        return false;
    const QString name = rows.at(index.row()).state.name;
    QString error;
    if (!publish(name, value.toString(), &error)) {
        emit publishFailed(name, error);
        return false;
    }
    return true; // the row changes when the engine reports the new value
}

bool StatesModel::publish(const QString &name, const QString &text, QString *error)
{
    QString why;
    const QByteArray packed = NanostateVariant::pack(ValueText::parse(text), &why);
    if (packed.isEmpty()) {
        if (error)
            *error = why;
        return false;
    }
    if (!engine->setState(name, packed)) {
        if (error)
            *error = engine->errorString();
        return false;
    }
    return true;
}

int StatesModel::rowOf(const QString &name) const
{
    return rowByName.value(name, -1);
}

HubState StatesModel::stateAt(int row) const
{
    return row >= 0 && row < rows.size() ? rows.at(row).state : HubState();
}

void StatesModel::markDirty(int row)
{
    dirtyFirst = dirtyFirst < 0 ? row : qMin(dirtyFirst, row);
    dirtyLast = qMax(dirtyLast, row);
}

void StatesModel::onStateChanged(const HubState &state)
{
    const int row = rowByName.value(state.name, -1);
    if (state.removed) {
        if (row >= 0)
            removed.insert(state.name);
        const int pending = addedIndex.value(state.name, -1);
        if (pending >= 0)
            added[pending].removed = true; // skipped at the flush
    } else if (row >= 0) {
        Row &r = rows[row];
        r.state = state;
        r.preview.clear();
        r.type.clear();
        removed.remove(state.name);
        markDirty(row);
    } else {
        const int pending = addedIndex.value(state.name, -1);
        if (pending >= 0) {
            added[pending] = state;
        } else {
            addedIndex.insert(state.name, added.size());
            added.append(state);
        }
    }
    if (!flushTimer.isActive())
        flushTimer.start();
}

void StatesModel::reindexFrom(int row)
{
    for (int i = row; i < rows.size(); ++i)
        rowByName[rows.at(i).state.name] = i;
}

void StatesModel::flush()
{
    flushTimer.stop();
    if (dirtyFirst >= 0) {
        emit dataChanged(createIndex(dirtyFirst, ValueColumn), createIndex(dirtyLast, ChangedColumn));
        dirtyFirst = dirtyLast = -1;
    }

    if (!removed.isEmpty()) {
        QVector<int> gone;
        gone.reserve(removed.size());
        for (const QString &name : qAsConst(removed)) {
            gone.append(rowByName.value(name));
            rowByName.remove(name);
        }
        removed.clear();
        // From the bottom up, a run of adjacent rows at a time.
        std::sort(gone.begin(), gone.end(), std::greater<int>());
        for (int i = 0; i < gone.size();) {
            int j = i;
            while (j + 1 < gone.size() && gone.at(j + 1) == gone.at(j) - 1)
                ++j;
            beginRemoveRows(QModelIndex(), gone.at(j), gone.at(i));
            rows.remove(gone.at(j), gone.at(i) - gone.at(j) + 1);
            endRemoveRows();
            i = j + 1;
        }
        reindexFrom(gone.last());
    }

    QVector<HubState> fresh;
    fresh.reserve(added.size());
    for (const HubState &st : qAsConst(added)) {
        if (!st.removed)
            fresh.append(st);
    }
    added.clear();
    addedIndex.clear();
    if (!fresh.isEmpty()) {
        beginInsertRows(QModelIndex(), rows.size(), rows.size() + fresh.size() - 1);
        for (const HubState &st : qAsConst(fresh)) {
            rowByName.insert(st.name, rows.size());
            rows.append(Row{st, QString(), QString()});
        }
        endInsertRows();
    }
    emit flushed();
}
