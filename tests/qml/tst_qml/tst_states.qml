// SPDX-License-Identifier: MIT
// Nanostate: the connection and its per-state bindable `states`.
import QtQuick 2.15
import QtTest 1.15
import Nanostate 1.0

Item {
    id: root
    width: 320
    height: 240

    Nanostate { id: ns; url: hubUrl; identity: "qml-states" }

    // Bound before these states exist: another process creates them later.
    Text { id: temperatureText; text: ns.states.temperature ?? "none" }
    property var temperature: ns.states.temperature
    property var robotSpeed: ns.states["robot/speed"]
    property var oddName: ns.states["odd name/ü.é"]

    Component {
        id: connectionComponent
        Nanostate {
            id: connection
            url: hubUrl
            property var toggled: connection.states["toggle/x"]
        }
    }

    SignalSpy { id: updatedSpy; target: ns; signalName: "stateUpdated" }
    SignalSpy { id: removedSpy; target: ns; signalName: "stateRemoved" }
    SignalSpy { id: errorSpy; signalName: "errorOccurred" }

    TestCase {
        name: "States"

        function initTestCase() {
            tryCompare(ns, "synced", true)
            verify(ns.connected)
            verify(ns.active)
            compare(ns.url, hubUrl)
            compare(ns.identity, "qml-states")
        }

        function test_binding_follows_another_process() {
            compare(temperatureText.text, "none")
            compare(cli.set("temperature", "21.5"), 0)
            tryCompare(temperatureText, "text", "21.5")
            compare(root.temperature, "21.5")
            compare(cli.setJson("temperature", "22.25"), 0)
            tryCompare(root, "temperature", 22.25)
            compare(temperatureText.text, "22.25")
        }

        function test_name_with_slash() {
            compare(cli.setJson("robot/speed", "0.7"), 0)
            tryCompare(root, "robotSpeed", 0.7)
            compare(ns.states["robot/speed"], 0.7)
            compare(ns.get("robot/speed"), 0.7)
        }

        function test_any_name() {
            compare(cli.setJson("odd name/ü.é", "[1,2]"), 0)
            tryVerify(function() { return root.oddName !== undefined })
            compare(root.oddName, [1, 2])
        }

        function test_removal_makes_the_binding_undefined() {
            compare(cli.setJson("robot/speed", "0.5"), 0)
            tryCompare(root, "robotSpeed", 0.5)
            removedSpy.clear()
            compare(cli.remove("robot/speed"), 0)
            tryCompare(root, "robotSpeed", undefined)
            compare(ns.get("robot/speed"), undefined)
            tryCompare(removedSpy, "count", 1)
            compare(removedSpy.signalArguments[0][0], "robot/speed")
            // and it comes back
            compare(cli.setJson("robot/speed", "0.1"), 0)
            tryCompare(root, "robotSpeed", 0.1)
        }

        // The stateUpdated arguments seen for one name (other tests' states
        // may still be arriving).
        function updatesOf(name) {
            return updatedSpy.signalArguments.filter(function(args) { return args[0] === name })
        }

        function test_state_updated_signal() {
            updatedSpy.clear()
            compare(cli.set("signals/a", "x"), 0)
            tryVerify(function() { return updatesOf("signals/a").length === 1 })
            compare(updatesOf("signals/a")[0][1], "x")
            compare(updatesOf("signals/a")[0][2], cli.identity)
            // our own sets too, with our identity, at once
            verify(ns.set("signals/a", "y"))
            compare(updatesOf("signals/a").length, 2)
            compare(updatesOf("signals/a")[1][1], "y")
            compare(updatesOf("signals/a")[1][2], "qml-states")
            // a value set again is no change
            verify(ns.set("signals/a", "y"))
            compare(updatesOf("signals/a").length, 2)
        }

        function test_names_lists_states_only() {
            compare(cli.set("names/b", "2"), 0)
            compare(cli.set("names/a", "1"), 0)
            tryVerify(function() { return ns.names().indexOf("names/b") >= 0 })
            var names = ns.names()
            verify(names.indexOf("names/a") >= 0)
            verify(names.indexOf("names/a") < names.indexOf("names/b"))  // sorted
            verify(names.indexOf("objectName") < 0)
            verify(names.indexOf("keys") < 0)
            compare(cli.remove("names/a"), 0)
            tryVerify(function() { return ns.names().indexOf("names/a") < 0 })
        }

        function test_write_through_states_publishes() {
            compare(cli.setJson("robot/speed", "0.2"), 0)
            tryCompare(root, "robotSpeed", 0.2)
            ns.states["robot/speed"] = 0.9
            compare(root.robotSpeed, 0.9)
            var got = cli.getJson("robot/speed")
            compare(got.value, 0.9)
            compare(got.sender, "qml-states")
            // a name the map has never seen
            ns.states.fresh = "written"
            compare(ns.get("fresh"), "written")
            compare(cli.get("fresh"), "written")
        }

        function test_existing_states_arrive_with_the_snapshot() {
            compare(cli.set("snapshot/x", "before"), 0)
            var c = createTemporaryObject(connectionComponent, root, {identity: "qml-snapshot"})
            verify(!c.synced)
            tryCompare(c, "synced", true)
            compare(c.states["snapshot/x"], "before")
            compare(c.get("snapshot/x"), "before")
        }

        function test_inactive_closes_and_active_reopens() {
            compare(cli.set("toggle/x", "on"), 0)
            var c = createTemporaryObject(connectionComponent, root, {identity: "qml-toggle"})
            tryCompare(c, "toggled", "on")
            verify(c.connected)
            c.active = false
            compare(c.synced, false)
            compare(c.connected, false)
            compare(c.toggled, undefined)
            compare(c.get("toggle/x"), undefined)
            errorSpy.target = c
            errorSpy.clear()
            verify(!c.set("toggle/x", "closed"))
            compare(errorSpy.count, 1)
            compare(cli.set("toggle/x", "again"), 0)
            c.active = true
            tryCompare(c, "synced", true)
            tryCompare(c, "toggled", "again")
        }

        function test_created_inactive_does_not_connect() {
            var c = createTemporaryObject(connectionComponent, root, {active: false})
            verify(c.url.length > 0)
            compare(c.active, false)
            compare(c.connected, false)
            compare(c.synced, false)
            verify(!c.set("x", 1))
        }

        function test_bad_url_then_good_url() {
            var c = createTemporaryObject(connectionComponent, root,
                                          {active: false, url: "bogus://nowhere"})
            errorSpy.target = c
            errorSpy.clear()
            c.active = true
            compare(errorSpy.count, 1)
            verify(errorSpy.signalArguments[0][0].indexOf("bogus://nowhere") >= 0,
                   errorSpy.signalArguments[0][0])
            c.url = hubUrl // reopens
            tryCompare(c, "synced", true)
        }

        function test_reserved_names_through_get() {
            // QQmlPropertyMap and QObject own these names
            verify(ns.set("keys", 3))
            compare(ns.get("keys"), 3)
            compare(typeof ns.states.keys, "function")
        }
    }
}
