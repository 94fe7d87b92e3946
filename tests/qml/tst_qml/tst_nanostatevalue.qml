// SPDX-License-Identifier: MIT
// NanostateValue: two-way binding of one state, without echo, and the
// initial-value rule.
import QtQuick 2.15
import QtQuick.Controls 2.15
import QtTest 1.15
import Nanostate 1.0

Item {
    id: root
    width: 400
    height: 300

    Nanostate { id: ns; url: hubUrl; identity: "qml-value" }
    Nanostate { id: observer; url: hubUrl; identity: "qml-observer" }

    NanostateValue { id: speed; source: ns; name: "nv/speed" }
    NanostateValue { id: speedTwin; source: ns; name: "nv/speed" }
    SignalSpy { id: speedSpy; target: speed; signalName: "valueChanged" }
    SignalSpy { id: observedSpy; target: observer; signalName: "stateUpdated" }

    // The usual idiom: the slider shows the state, a user's move writes it.
    NanostateValue { id: sliderState; source: ns; name: "nv/slider"; value: 0.5 }
    Slider {
        id: slider
        y: 100
        width: 300
        from: 0
        to: 1
        value: sliderState.value
        onMoved: sliderState.value = value
    }

    Component {
        id: connectionComponent
        Nanostate { url: hubUrl }
    }
    Component {
        id: valueComponent
        NanostateValue { }
    }

    TestCase {
        name: "NanostateValue"
        when: windowShown

        property int sentinel: 0

        function initTestCase() {
            tryCompare(ns, "synced", true)
            tryCompare(observer, "synced", true)
        }

        // Returns once ns and the observer have seen a CLI set made now:
        // whatever was sent before it has been handled.
        function settle() {
            var token = "t" + (++sentinel)
            compare(cli.set("nv/sentinel", token), 0)
            tryVerify(function() {
                return ns.get("nv/sentinel") === token && observer.get("nv/sentinel") === token
            }, 5000, "the sentinel arrives")
        }

        function observedUpdatesOf(name) {
            return observedSpy.signalArguments.filter(function(args) { return args[0] === name })
        }

        function test_another_process_change_updates_value_once_without_echo() {
            compare(cli.setJson("nv/speed", "0.3"), 0)
            tryCompare(speed, "value", 0.3)
            speedSpy.clear()
            compare(cli.setJson("nv/speed", "0.4"), 0)
            tryCompare(speed, "value", 0.4)
            compare(speedSpy.count, 1)
            compare(speed.sender, cli.identity)
            verify(speed.exists)
            settle()
            compare(speedSpy.count, 1)
            // not published back: the hub's last writer is still the CLI
            var got = cli.getJson("nv/speed")
            compare(got.value, 0.4)
            compare(got.sender, cli.identity)
        }

        function test_write_publishes_once() {
            compare(cli.setJson("nv/speed", "0.1"), 0)
            tryCompare(speed, "value", 0.1)
            settle()
            speedSpy.clear()
            observedSpy.clear()
            speed.value = 0.7
            compare(speedSpy.count, 1)
            compare(speed.value, 0.7)
            compare(speed.sender, "qml-value")
            compare(speedTwin.value, 0.7) // same connection, at once
            tryVerify(function() { return observer.get("nv/speed") === 0.7 })
            settle()
            compare(observedUpdatesOf("nv/speed").length, 1)
            compare(observedUpdatesOf("nv/speed")[0][2], "qml-value")
            compare(speedSpy.count, 1)
            var got = cli.getJson("nv/speed")
            compare(got.value, 0.7)
            compare(got.sender, "qml-value")
        }

        function test_equal_value_is_neither_published_nor_signalled() {
            compare(cli.setJson("nv/speed", "{\"a\":[1,2.5]}"), 0)
            tryVerify(function() { return speed.value && speed.value.a !== undefined })
            speedSpy.clear()
            speed.value = {a: [1, 2.5]} // a new object, the same value
            compare(speedSpy.count, 0)
            settle()
            compare(cli.getJson("nv/speed").sender, cli.identity)
            compare(speedSpy.count, 0)
            speed.value = {a: [1, 2]} // a different value: 2 is an int
            compare(speedSpy.count, 1)
            compare(cli.get("nv/speed"), '{"a":[1,2]}')
        }

        function test_removal_makes_value_undefined() {
            compare(cli.setJson("nv/speed", "5"), 0)
            tryCompare(speed, "value", 5)
            speedSpy.clear()
            compare(cli.remove("nv/speed"), 0)
            tryCompare(speed, "exists", false)
            compare(speed.value, undefined)
            compare(speed.sender, "")
            compare(speedSpy.count, 1)
            // writing it again creates it
            speed.value = 6
            verify(speed.exists)
            compare(cli.get("nv/speed"), "6")
        }

        function test_declared_value_yields_to_the_hub() {
            compare(cli.setJson("init/existing", "7"), 0)
            var c = createTemporaryObject(connectionComponent, root, {identity: "qml-init-1"})
            var v = createTemporaryObject(valueComponent, root,
                                          {source: c, name: "init/existing", value: 1})
            // a proposal until the connection holds the hub's table
            compare(v.value, 1)
            compare(v.exists, false)
            tryCompare(v, "exists", true)
            compare(v.value, 7)
            compare(v.sender, cli.identity)
            var got = cli.getJson("init/existing")
            compare(got.value, 7)
            compare(got.sender, cli.identity)
        }

        function test_declared_value_is_published_when_the_hub_has_none() {
            var c = createTemporaryObject(connectionComponent, root, {identity: "qml-init-2"})
            var v = createTemporaryObject(valueComponent, root,
                                          {source: c, name: "init/absent", value: 5})
            compare(cli.run(["get", "init/absent"]).code, 1) // not yet
            tryCompare(v, "exists", true)
            compare(v.value, 5)
            compare(v.sender, "qml-init-2")
            var got = cli.getJson("init/absent")
            compare(got.value, 5)
            compare(got.sender, "qml-init-2")
        }

        function test_value_written_before_sync_follows_the_same_rule() {
            compare(cli.setJson("init/written-existing", "\"hub\""), 0)
            var c = createTemporaryObject(connectionComponent, root, {identity: "qml-init-3"})
            var absent = createTemporaryObject(valueComponent, root,
                                               {source: c, name: "init/written-absent"})
            var existing = createTemporaryObject(valueComponent, root,
                                                 {source: c, name: "init/written-existing"})
            compare(absent.value, undefined)
            absent.value = 9
            existing.value = "mine"
            compare(absent.value, 9)
            tryCompare(absent, "exists", true)
            tryCompare(existing, "value", "hub")
            compare(cli.get("init/written-absent"), "9")
            compare(cli.getJson("init/written-existing").sender, cli.identity)
        }

        function test_no_value_and_no_state() {
            var c = createTemporaryObject(connectionComponent, root, {identity: "qml-init-4"})
            var v = createTemporaryObject(valueComponent, root, {source: c, name: "init/nothing"})
            tryCompare(c, "synced", true)
            compare(v.exists, false)
            compare(v.value, undefined)
            compare(cli.run(["get", "init/nothing"]).code, 1)
        }

        function test_name_change_follows_the_new_state() {
            compare(cli.set("rename/a", "A"), 0)
            compare(cli.set("rename/b", "B"), 0)
            var c = createTemporaryObject(connectionComponent, root, {identity: "qml-rename"})
            var v = createTemporaryObject(valueComponent, root, {source: c, name: "rename/a"})
            tryCompare(v, "value", "A")
            v.name = "rename/b"
            compare(v.value, "B")
            v.name = "rename/none"
            compare(v.value, undefined)
            compare(v.exists, false)
            compare(cli.get("rename/a"), "A") // nothing carried over
        }

        function test_reopened_connection_takes_the_hub_value() {
            compare(cli.set("reopen/x", "first"), 0)
            var c = createTemporaryObject(connectionComponent, root, {identity: "qml-reopen"})
            var v = createTemporaryObject(valueComponent, root, {source: c, name: "reopen/x"})
            tryCompare(v, "value", "first")
            c.active = false
            compare(v.exists, false)
            compare(v.value, "first") // the last value stays on show
            compare(cli.set("reopen/x", "second"), 0)
            c.active = true
            tryCompare(v, "value", "second")
            verify(v.exists)
        }

        function test_source_destroyed() {
            compare(cli.set("gone/x", "kept"), 0)
            var c = createTemporaryObject(connectionComponent, root, {identity: "qml-gone"})
            var v = createTemporaryObject(valueComponent, root, {source: c, name: "gone/x"})
            tryCompare(v, "value", "kept")
            c.destroy()
            tryCompare(v, "source", null)
            compare(v.exists, false)
            compare(v.value, "kept")
            v.value = "proposal" // no connection: kept for the next one
            compare(v.value, "proposal")
            v.source = ns
            tryCompare(v, "value", "kept") // the hub has it
            compare(cli.getJson("gone/x").sender, cli.identity)
        }

        function test_bytes_and_dates() {
            var v = createTemporaryObject(valueComponent, root, {source: ns, name: "nv/bytes"})
            v.value = new Uint8Array([1, 2, 3]).buffer
            verify(v.value instanceof ArrayBuffer)
            tryVerify(function() { return observer.get("nv/bytes") instanceof ArrayBuffer })
            compare(Array.prototype.slice.call(new Uint8Array(observer.get("nv/bytes"))), [1, 2, 3])
            var when = new Date(Date.UTC(2020, 5, 1))
            v.value = when
            verify(v.value instanceof Date)
            tryVerify(function() { return observer.get("nv/bytes") instanceof Date })
            compare(observer.get("nv/bytes").getTime(), when.getTime())
        }

        function test_slider_idiom() {
            // the declared 0.5 was published: the hub had no such state
            tryCompare(sliderState, "exists", true)
            compare(slider.value, 0.5)
            compare(cli.get("nv/slider"), "0.5")

            // the user moves it
            mouseClick(slider, slider.leftPadding + slider.availableWidth * 0.9, slider.height / 2)
            verify(slider.value > 0.7, "moved to " + slider.value)
            compare(sliderState.value, slider.value)
            tryCompare(observer.states, "nv/slider", slider.value)
            compare(cli.getJson("nv/slider").value, slider.value)

            // another process moves it
            compare(cli.setJson("nv/slider", "0.25"), 0)
            tryCompare(slider, "value", 0.25)

            // and the binding survived both
            mouseClick(slider, slider.leftPadding + slider.availableWidth * 0.1, slider.height / 2)
            verify(slider.value < 0.3, "moved to " + slider.value)
            tryCompare(observer.states, "nv/slider", slider.value)
            compare(cli.setJson("nv/slider", "0.75"), 0)
            tryCompare(slider, "value", 0.75)
            compare(cli.getJson("nv/slider").sender, cli.identity)
        }
    }
}
