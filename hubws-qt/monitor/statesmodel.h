// SPDX-License-Identifier: MIT
#ifndef STATESMODEL_H
#define STATESMODEL_H

#include "hubstate.h"

#include <QtCore/QAbstractTableModel>
#include <QtCore/QHash>
#include <QtCore/QSet>
#include <QtCore/QTimer>
#include <QtCore/QVector>

class HubEngine;

// Every state of the hub's table, one row each, in the order the states
// first appeared (sort through a StatesFilter). Filled from the engine's
// table at construction, then kept up to date by HubEngine::stateChanged.
//
// A busy hub changes thousands of states a second, so changes are not
// signalled one by one: they are stored at once and published every
// flushInterval() (100 ms) as one dataChanged over the span of changed rows
// (value to last-change columns: never a single cell, so an open editor
// keeps what the user typed), then the removals, then one insertion of
// every new state. Previews are made when a view asks for them.
//
// Editing the value column publishes through the engine, as the hub itself
// (sender "$hub"): the text is read by ValueText::parse().
class StatesModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { NameColumn, ValueColumn, TypeColumn, SenderColumn, UpdatesColumn, ChangedColumn,
                  ColumnCount };
    enum Role {
        SortRole = Qt::UserRole, // numbers for counts and times, text otherwise
        PackedRole               // the value's msgpack bytes (QByteArray)
    };
    static constexpr int previewChars = 160;
    static constexpr int maxEditBytes = 64 * 1024; // bigger values are not editable

    explicit StatesModel(HubEngine *engine, QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    int columnCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;
    Qt::ItemFlags flags(const QModelIndex &index) const override;
    bool setData(const QModelIndex &index, const QVariant &value, int role = Qt::EditRole) override;

    int rowOf(const QString &name) const; // -1 if not shown (yet)
    HubState stateAt(int row) const;
    int flushInterval() const { return flushTimer.interval(); }
    void setFlushInterval(int ms) { flushTimer.setInterval(ms); }

    // Publishes text (ValueText::parse()) as the value of name. False with *error.
    bool publish(const QString &name, const QString &text, QString *error = nullptr);

public Q_SLOTS:
    // Shows the changes collected so far now instead of at the next tick.
    void flush();

Q_SIGNALS:
    void publishFailed(const QString &name, const QString &error);
    void flushed(); // after the changes of a tick were signalled

private:
    struct Row
    {
        HubState state;
        mutable QString preview; // empty: not made yet
        mutable QString type;
    };

    void onStateChanged(const HubState &state);
    void markDirty(int row);
    void reindexFrom(int row);
    QString preview(const Row &row) const;
    QString type(const Row &row) const;

    HubEngine *engine;
    QVector<Row> rows;
    QHash<QString, int> rowByName;       // name -> row
    QVector<HubState> added;          // not shown yet, in order
    QHash<QString, int> addedIndex;   // name -> position in added
    QSet<QString> removed;            // shown, to be removed
    int dirtyFirst = -1;
    int dirtyLast = -1;
    QTimer flushTimer;
};

#endif // STATESMODEL_H
