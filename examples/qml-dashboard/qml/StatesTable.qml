// SPDX-License-Identifier: MIT
// Every state on the hub, sorted by name: name, value and who set it last.
// Fed by the Nanostate object's stateUpdated / stateRemoved signals.
import QtQuick 2.15
import QtQuick.Controls 2.15
import QtQuick.Layouts 1.15
import "format.js" as Format

Frame {
    id: table

    readonly property alias count: rows.count

    function update(name, value, sender) {
        const row = { name: name, value: Format.value(value), sender: sender }
        for (let i = 0; i < rows.count; ++i) {
            const other = rows.get(i).name
            if (other === name) {
                rows.set(i, row)
                return
            }
            if (other > name) {
                rows.insert(i, row)
                return
            }
        }
        rows.append(row)
    }

    function remove(name) {
        for (let i = 0; i < rows.count; ++i) {
            if (rows.get(i).name === name) {
                rows.remove(i)
                return
            }
        }
    }

    // After a resync the signals may not have told every change: read each
    // row's value again with valueOf(name) (undefined: the state is gone).
    function refresh(valueOf) {
        for (let i = rows.count - 1; i >= 0; --i) {
            const value = valueOf(rows.get(i).name)
            if (value === undefined)
                rows.remove(i)
            else
                rows.setProperty(i, "value", Format.value(value))
        }
    }

    ListModel {
        id: rows
    }

    ColumnLayout {
        anchors.fill: parent
        spacing: 4

        Label {
            text: qsTr("All states (%1)").arg(rows.count)
            font.bold: true
        }
        ListView {
            id: list
            Layout.fillWidth: true
            Layout.fillHeight: true
            clip: true
            model: rows
            header: TableRow {
                name: qsTr("Name")
                value: qsTr("Value")
                sender: qsTr("Set by")
                bold: true
            }
            delegate: TableRow {
                name: model.name
                value: model.value
                sender: model.sender
            }
            ScrollBar.vertical: ScrollBar {}
        }
    }

    // One line of the table, as wide as the list.
    component TableRow: RowLayout {
        property string name
        property string value
        property string sender
        property bool bold

        width: list.width
        spacing: 8
        Label {
            text: name
            font.bold: bold
            elide: Text.ElideRight
            Layout.preferredWidth: list.width * 0.35
        }
        Label {
            text: value
            font.bold: bold
            elide: Text.ElideRight
            Layout.fillWidth: true
        }
        Label {
            text: sender
            font.bold: bold
            elide: Text.ElideRight
            Layout.preferredWidth: list.width * 0.25
        }
    }
}
