// SPDX-License-Identifier: MIT
// The door of the sensor demo: open (orange), closed (green) or unknown.
import QtQuick 2.15
import QtQuick.Controls 2.15
import QtQuick.Layouts 1.15

Frame {
    id: door

    property var open // a bool once sensors/door_open exists
    readonly property string displayText: open === true ? qsTr("open")
                                          : open === false ? qsTr("closed") : qsTr("unknown")

    ColumnLayout {
        anchors.fill: parent
        Label {
            text: qsTr("Door")
            font.bold: true
            Layout.alignment: Qt.AlignHCenter
        }
        Rectangle {
            Layout.alignment: Qt.AlignHCenter
            width: 56
            height: 72
            radius: 4
            color: door.open === true ? "#f0a030" : door.open === false ? "#2e9d4b" : "#bbbbbb"
            border.color: Qt.darker(color, 1.4)
            // The leaf, swung out when open.
            Rectangle {
                width: door.open === true ? 14 : 48
                height: 64
                x: 4
                y: 4
                color: Qt.lighter(parent.color, 1.3)
            }
        }
        Label {
            text: door.displayText
            Layout.alignment: Qt.AlignHCenter
        }
    }
}
