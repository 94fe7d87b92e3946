// SPDX-License-Identifier: MIT
// The dashboard: the sensor demo's values bound to gauges, a slider that
// sets its rate, and every state in a table. All Nanostate code is here:
// one Nanostate object (the connection) and one NanostateValue (the slider).
import QtQuick 2.15
import QtQuick.Controls 2.15
import QtQuick.Layouts 1.15
import Nanostate 1.0

ApplicationWindow {
    id: window

    property string hubUrl // from --url; empty: $NANOSTATE_URL, else the default
    property int updatesSinceSync: 0
    // Synced and a few updates since: the values on screen are live ones.
    // --screenshot waits for it.
    readonly property bool live: ns.synced && updatesSinceSync >= 8

    // What the dashboard displays, one "Title: text" line each (--screenshot
    // prints them).
    readonly property var displayedValues: [
        temperature.title + ": " + temperature.displayText,
        humidity.title + ": " + humidity.displayText,
        pressure.title + ": " + pressure.displayText,
        "Door: " + door.displayText,
        "Rate: " + rateText.text,
        "Hub: " + hubStatus.text,
        "States: " + table.count
    ]

    width: 860
    height: 680
    visible: true
    title: qsTr("Nanostate dashboard - %1").arg(hubStatus.text)
    // An item rather than the window colour, so that screenshots have it too.
    background: Rectangle {
        color: window.palette.window
    }

    Nanostate {
        id: ns
        url: window.hubUrl
        onStateUpdated: {
            table.update(name, value, sender)
            if (ns.synced)
                window.updatesSinceSync++
        }
        onStateRemoved: table.remove(name)
        onSyncedChanged: {
            if (synced)
                table.refresh(name => ns.get(name))
        }
        onErrorOccurred: console.warn("nanostate-dashboard:", message)
    }

    header: ToolBar {
        RowLayout {
            anchors.fill: parent
            anchors.leftMargin: 12
            anchors.rightMargin: 12
            Label {
                text: qsTr("Sensors")
                font.pixelSize: 20
                font.bold: true
                Layout.fillWidth: true
            }
            StatusLight {
                id: hubStatus
                on: ns.connected
                text: !ns.connected ? qsTr("disconnected")
                                    : ns.synced ? qsTr("connected") : qsTr("connected, syncing")
            }
        }
    }

    ColumnLayout {
        anchors.fill: parent
        anchors.margins: 12
        spacing: 12

        // Bindings to states another process owns: they follow every change.
        RowLayout {
            spacing: 12
            Gauge {
                id: temperature
                title: qsTr("Temperature")
                unit: "°C"
                from: 15
                to: 30
                value: ns.states["sensors/temperature"]
                Layout.fillWidth: true
            }
            Gauge {
                id: humidity
                title: qsTr("Humidity")
                unit: "%"
                from: 30
                to: 60
                value: ns.states["sensors/humidity"]
                Layout.fillWidth: true
            }
            Gauge {
                id: pressure
                title: qsTr("Pressure")
                unit: "hPa"
                from: 1008
                to: 1018
                value: ns.states["sensors/pressure"]
                Layout.fillWidth: true
            }
        }

        RowLayout {
            spacing: 12
            Layout.preferredHeight: 150
            Layout.maximumHeight: 150
            DoorIndicator {
                id: door
                open: ns.states["sensors/door_open"]
                Layout.fillHeight: true
                Layout.preferredWidth: 120
            }
            Frame {
                Layout.fillWidth: true
                Layout.fillHeight: true
                ColumnLayout {
                    anchors.fill: parent
                    Label {
                        text: qsTr("Publishing rate (sensors/rate_hz)")
                        font.bold: true
                    }
                    RowLayout {
                        // A control that sets a state: NanostateValue is two-way.
                        // Dragging writes rate.value, which publishes it, and
                        // nanostate-sensor-demo changes its rate; another App
                        // setting the rate moves the slider.
                        NanostateValue {
                            id: rate
                            source: ns
                            name: "sensors/rate_hz"
                        }
                        Slider {
                            id: rateSlider
                            from: 0.5
                            to: 20
                            stepSize: 0.5
                            snapMode: Slider.SnapAlways
                            enabled: rate.exists
                            value: rate.exists ? Number(rate.value) : 5
                            onMoved: rate.value = value
                            Layout.fillWidth: true
                        }
                        Label {
                            id: rateText
                            text: rate.exists ? Number(rate.value).toFixed(1) + " Hz" : "-"
                            Layout.preferredWidth: 80
                        }
                    }
                    Label {
                        text: rate.exists ? qsTr("set by %1").arg(rate.sender) : qsTr("no rate yet")
                        opacity: 0.6
                    }
                }
            }
        }

        StatesTable {
            id: table
            Layout.fillWidth: true
            Layout.fillHeight: true
        }
    }
}
