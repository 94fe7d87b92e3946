// SPDX-License-Identifier: MIT
// How the dashboard writes a state's value: one place for gauges and table.
.pragma library

// A number with `decimals` digits after the point (integers as they are),
// anything else as short JSON; undefined (no such state yet) as "-".
function value(v, decimals) {
    if (v === undefined)
        return "-"
    if (typeof v === "number")
        return Number.isInteger(v) ? String(v) : v.toFixed(decimals === undefined ? 2 : decimals)
    if (typeof v === "string")
        return v
    if (typeof v === "boolean")
        return v ? "true" : "false"
    return JSON.stringify(v)
}
