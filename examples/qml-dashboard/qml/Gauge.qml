// SPDX-License-Identifier: MIT
// A round gauge: a grey arc from `from` to `to`, filled up to `value`, and
// the number in the middle. Drawn with Canvas, so it needs nothing beyond
// QtQuick and works with the software backend.
import QtQuick 2.15
import QtQuick.Controls 2.15
import "format.js" as Format

Frame {
    id: gauge

    property string title
    property string unit
    property real from: 0
    property real to: 100
    property int decimals: 1
    property var value // undefined until the state exists

    readonly property bool known: typeof value === "number" && isFinite(value)
    readonly property string displayText: known ? Format.value(value, decimals) + " " + unit : "-"

    implicitWidth: 200
    implicitHeight: 190

    Canvas {
        id: canvas
        anchors.fill: parent
        readonly property real share: gauge.known
                                      ? Math.max(0, Math.min(1, (gauge.value - gauge.from) / (gauge.to - gauge.from)))
                                      : 0
        onShareChanged: requestPaint()
        onWidthChanged: requestPaint()
        onHeightChanged: requestPaint()
        onPaint: {
            const ctx = getContext("2d")
            ctx.reset()
            const radius = Math.min(width, height) / 2 - 14
            const cx = width / 2, cy = height / 2 + 10
            const start = 0.75 * Math.PI, sweep = 1.5 * Math.PI // a 270 degree arc, open below
            ctx.lineWidth = 12
            ctx.lineCap = "round"
            ctx.strokeStyle = "#d8d8d8"
            ctx.beginPath()
            ctx.arc(cx, cy, radius, start, start + sweep)
            ctx.stroke()
            if (gauge.known) {
                ctx.strokeStyle = gauge.palette.highlight
                ctx.beginPath()
                ctx.arc(cx, cy, radius, start, start + sweep * share)
                ctx.stroke()
            }
        }
    }

    Label {
        anchors.horizontalCenter: parent.horizontalCenter
        anchors.top: parent.top
        text: gauge.title
        font.bold: true
    }
    Label {
        // Inside the arc; long values shrink to fit.
        anchors.centerIn: parent
        anchors.verticalCenterOffset: 10
        width: Math.min(canvas.width, canvas.height) - 56
        horizontalAlignment: Text.AlignHCenter
        text: gauge.displayText
        font.pixelSize: 24
        fontSizeMode: Text.HorizontalFit
        minimumPixelSize: 10
    }
    Label {
        anchors.horizontalCenter: parent.horizontalCenter
        anchors.bottom: parent.bottom
        text: gauge.from + " - " + gauge.to + " " + gauge.unit
        opacity: 0.6
    }
}
