// SPDX-License-Identifier: MIT
// A coloured dot and a word: green when `on`, red when not.
import QtQuick 2.15
import QtQuick.Controls 2.15
import QtQuick.Layouts 1.15

RowLayout {
    property bool on
    property alias text: label.text

    spacing: 6
    Rectangle {
        width: 14
        height: 14
        radius: 7
        color: parent.on ? "#2e9d4b" : "#c83737"
    }
    Label {
        id: label
    }
}
