// SPDX-License-Identifier: MIT
import QtQuick 2.15
import Nanostate 1.0

// A binding on a state another process sets; each change is stamped the
// moment the binding re-evaluates.
Item {
    width: 200; height: 50
    Nanostate {
        id: ns
        url: hubUrl
        identity: "bench-qml"
        onSyncedChanged: if (synced) ns.set("bench/ready", true)
    }
    Text {
        text: ns.states["bench/t"] !== undefined ? String(ns.states["bench/t"]) : ""
        onTextChanged: if (text !== "") probe.stamp(text)
    }
}
