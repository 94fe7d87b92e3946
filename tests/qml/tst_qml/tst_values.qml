// SPDX-License-Identifier: MIT
// Nanostate set/get/remove: every JS type through the hub to a second
// connection, and what another process (the CLI) sees of them.
import QtQuick 2.15
import QtTest 1.15
import Nanostate 1.0

Item {
    id: root

    Nanostate { id: writer; url: hubUrl; identity: "qml-writer" }
    Nanostate { id: reader; url: hubUrl; identity: "qml-reader" }

    SignalSpy { id: updatedSpy; target: reader; signalName: "stateUpdated" }
    SignalSpy { id: removedSpy; target: reader; signalName: "stateRemoved" }
    SignalSpy { id: errorSpy; target: writer; signalName: "errorOccurred" }

    TestCase {
        name: "Values"

        function initTestCase() {
            tryCompare(writer, "synced", true)
            tryCompare(reader, "synced", true)
        }

        function bytes(list) {
            return new Uint8Array(list).buffer
        }

        // A form compare() can check: ArrayBuffer and Date have no
        // enumerable properties of their own.
        function plain(v) {
            if (v instanceof ArrayBuffer)
                return {ArrayBuffer: Array.prototype.slice.call(new Uint8Array(v))}
            if (v instanceof Date)
                return {Date: v.getTime()}
            if (Array.isArray(v))
                return v.map(plain)
            if (v !== null && typeof v === "object") {
                var o = {}
                for (var k in v)
                    o[k] = plain(v[k])
                return o
            }
            return v
        }

        function updatesOf(name) {
            return updatedSpy.signalArguments.filter(function(args) { return args[0] === name })
        }

        // value: what QML sets; expected: what the reader gets (default:
        // value); text: `nanostate get` output; json: `--json get` value.
        function test_roundtrip_data() {
            var when = new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 678))
            return [
                {tag: "int", value: 42, text: "42"},
                {tag: "negative int", value: -7, text: "-7"},
                {tag: "int beyond 32 bits", value: 1099511627776, text: "1099511627776"},
                {tag: "float", value: 2.5, text: "2.5"},
                {tag: "integral float is an int", value: 6 / 2, text: "3"},
                {tag: "string", value: "héllo wörld", text: "héllo wörld"},
                {tag: "empty string", value: "", text: ""},
                {tag: "true", value: true, text: "true"},
                {tag: "false", value: false, text: "false"},
                {tag: "null", value: null, text: "null"},
                {tag: "undefined is null", value: undefined, expected: null, text: "null"},
                {tag: "array", value: [1, "two", 3.5, null, [true]],
                 text: '[1,"two",3.5,null,[true]]'},
                {tag: "empty array", value: [], text: "[]"},
                {tag: "object", value: {b: {c: [1, 2]}, a: 1, "robot/x": "y"},
                 text: '{"a":1,"b":{"c":[1,2]},"robot/x":"y"}'},
                {tag: "ArrayBuffer", value: bytes([0, 1, 2, 255]), json: {base64: "AAEC/w=="}},
                {tag: "empty ArrayBuffer", value: bytes([]), json: {base64: ""}},
                {tag: "Uint8Array is its bytes", value: new Uint8Array([9, 5, 6, 7]).subarray(1),
                 expected: bytes([5, 6, 7]), json: {base64: "BQYH"}},
                {tag: "Date", value: when, json: {ext: -1, base64: "oaXWAGWTfSU="}},
                {tag: "nested", value: {when: when, data: bytes([1]), list: [bytes([2]), when]}},
            ]
        }

        function test_roundtrip(row) {
            var name = "values/" + row.tag
            var expected = row.hasOwnProperty("expected") ? row.expected : row.value
            updatedSpy.clear()
            verify(writer.set(name, row.value))
            tryVerify(function() { return updatesOf(name).length === 1 }, 5000,
                      "the reader sees " + name)
            var got = reader.get(name)
            compare(plain(got), plain(expected))
            compare(typeof got, typeof expected)
            if (expected instanceof ArrayBuffer)
                verify(got instanceof ArrayBuffer, "an ArrayBuffer")
            if (expected instanceof Date)
                verify(got instanceof Date, "a Date")
            compare(plain(reader.states[name]), plain(expected))
            compare(plain(updatesOf(name)[0][1]), plain(expected))
            compare(updatesOf(name)[0][2], "qml-writer")
            // the writer reads back what it wrote, as the hub will give it
            compare(plain(writer.get(name)), plain(expected))
            if (row.hasOwnProperty("text"))
                compare(cli.get(name), row.text)
            if (row.hasOwnProperty("json")) {
                var json = cli.getJson(name)
                compare(json.value, row.json)
                compare(json.sender, "qml-writer")
            }
        }

        // Values another process writes, as JSON: what QML gets.
        function test_from_another_process_data() {
            return [
                {tag: "int", json: "7", expected: 7},
                {tag: "float", json: "7.5", expected: 7.5},
                {tag: "string", json: '"s"', expected: "s"},
                {tag: "bool", json: "true", expected: true},
                {tag: "null", json: "null", expected: null},
                {tag: "array", json: "[1,[2,{}]]", expected: [1, [2, {}]]},
                {tag: "bytes", json: '{"base64":"AAEC"}', expected: bytes([0, 1, 2])},
                {tag: "bytes in a map", json: '{"k":{"base64":"/w=="}}', expected: {k: bytes([255])}},
                {tag: "timestamp", json: '{"ext":-1,"base64":"ZZN9JQ=="}',
                 expected: new Date(1704164645000)},
            ]
        }

        function test_from_another_process(row) {
            var name = "fromcli/" + row.tag
            compare(cli.setJson(name, row.json), 0)
            tryVerify(function() { return reader.get(name) !== undefined }, 5000,
                      "the reader sees " + name)
            var got = reader.get(name)
            compare(plain(got), plain(row.expected))
            if (row.expected instanceof ArrayBuffer)
                verify(got instanceof ArrayBuffer, "an ArrayBuffer")
            if (row.expected instanceof Date)
                verify(got instanceof Date, "a Date")
        }

        function test_unknown_ext_round_trips() {
            compare(cli.setJson("fromcli/ext", '{"ext":5,"base64":"AQI="}'), 0)
            tryVerify(function() { return reader.get("fromcli/ext") !== undefined })
            var ext = reader.get("fromcli/ext")
            compare(plain(ext), {type: 5, data: {ArrayBuffer: [1, 2]}})
            verify(writer.set("values/ext", ext)) // given back as it came
            compare(cli.getJson("values/ext").value, {ext: 5, base64: "AQI="})
        }

        function test_remove() {
            var name = "values/removed"
            verify(writer.set(name, 1))
            tryCompare(reader.states, name, 1)
            removedSpy.clear()
            verify(writer.remove(name))
            compare(writer.get(name), undefined)
            tryCompare(reader.states, name, undefined)
            compare(reader.get(name), undefined)
            compare(reader.get(name, "fallback"), "fallback")
            compare(removedSpy.count, 1)
            compare(removedSpy.signalArguments[0][0], name)
            compare(cli.run(["get", name]).code, 1)
            // removing what does not exist is no error
            verify(writer.remove("values/never-there"))
        }

        function test_get_default() {
            compare(reader.get("values/none"), undefined)
            compare(reader.get("values/none", 5), 5)
            compare(reader.get("values/none", null), null)
            compare(plain(reader.get("values/none", {a: [1]})), {a: [1]})
        }

        function test_refused_sets_report_errors_data() {
            return [
                {tag: "empty name", name: "", value: 1},
                {tag: "name starting with $", name: "$hub/x", value: 1},
                {tag: "function", name: "values/function", value: function() {}},
                {tag: "QObject", name: "values/qobject", value: root},
            ]
        }

        function test_refused_sets_report_errors(row) {
            errorSpy.clear()
            verify(!writer.set(row.name, row.value))
            compare(errorSpy.count, 1)
            verify(errorSpy.signalArguments[0][0].length > 0)
            compare(writer.get(row.name), undefined)
        }
    }
}
