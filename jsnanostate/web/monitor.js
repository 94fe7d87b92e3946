// SPDX-License-Identifier: MIT
// monitor.js - the live web monitor: every state of the hub in a table,
// filtered by a glob, editable in place, with the hub's $hub/ figures.

import { ExtData, globToRegExp, Nanostate, Packed, packedType } from './nanostate.js';

const $ = (id) => document.getElementById(id);
const PREVIEW_CHARS = 160;

// --- values as JSON text (the CLI's conventions) --------------------------

function toBase64(bytes) {
    let s = '';
    for (const b of bytes)
        s += String.fromCharCode(b);
    return btoa(s);
}

function fromBase64(text) {
    return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}

// bin -> {"base64": ...}, ext -> {"ext": T, "base64": ...}, bigint -> its
// digits, a Date -> its ISO text, NaN/infinities -> null.
function jsonReplacer(key, v) {
    if (typeof v === 'bigint')
        return `__big${v}__`;
    if (v instanceof Uint8Array)
        return { base64: toBase64(v) };
    if (v instanceof ExtData)
        return { ext: v.type, base64: toBase64(v.data) };
    if (v instanceof Packed)
        return { packed: toBase64(v.bytes) };
    return v;
}

function toJsonText(value) {
    if (value instanceof Date)
        return JSON.stringify(value.toISOString());
    return JSON.stringify(value, jsonReplacer).replace(/"__big(-?\d+)__"/g, '$1');
}

function fromJsonObject(v) {
    if (Array.isArray(v))
        return v.map(fromJsonObject);
    if (v && typeof v === 'object') {
        const keys = Object.keys(v);
        if (keys.length === 1 && keys[0] === 'base64' && typeof v.base64 === 'string')
            return fromBase64(v.base64);
        if (keys.length === 2 && Number.isInteger(v.ext) && typeof v.base64 === 'string')
            return new ExtData(v.ext, fromBase64(v.base64));
        const out = {};
        for (const k of keys)
            out[k] = fromJsonObject(v[k]);
        return out;
    }
    return v;
}

/** The value typed in an edit box: JSON if it parses, else the text. */
export function parseTyped(text) {
    try {
        return fromJsonObject(JSON.parse(text));
    } catch {
        return text;
    }
}

function preview(value) {
    let text;
    if (typeof value === 'string')
        text = JSON.stringify(value);
    else if (value instanceof Uint8Array)
        text = `bin ${value.length}: ${[...value.subarray(0, 48)].map((b) => b.toString(16).padStart(2, '0')).join(' ')}`;
    else if (value instanceof Date)
        text = value.toISOString();
    else
        text = toJsonText(value);
    return text.length > PREVIEW_CHARS ? text.slice(0, PREVIEW_CHARS) + '…' : text;
}

// --- the page ---------------------------------------------------------------

const params = new URLSearchParams(location.search);
const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
const app = new Nanostate(`${scheme}://${location.host}/ws`, {
    identity: params.get('identity') ?? undefined,
    token: params.get('token') ?? undefined,
});
globalThis.nanostateApp = app; // for the console and for tests

$('hub-url').textContent = `${location.host} as ${app.identity}`;

const rows = new Map(); // name -> {tr, updates, changed, sender}
const names = []; // the table's names, sorted
const dirty = new Set();
let matcher = null;
let frame = 0;

function visible(name) {
    if (matcher)
        return matcher.test(name);
    return !name.startsWith('$'); // the hub's figures have their own panel
}

function schedule(name) {
    dirty.add(name);
    if (!frame)
        frame = requestAnimationFrame(render);
}

function sortedIndex(name) {
    let lo = 0;
    let hi = names.length;
    while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (names[mid] < name)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

function makeRow(name) {
    const tr = document.createElement('tr');
    tr.dataset.name = name;
    for (const cls of ['name', 'value', 'type', 'sender', 'updates', 'changed', 'actions'])
        tr.appendChild(document.createElement('td')).className = cls;
    tr.cells[0].textContent = name;
    if (!name.startsWith('$')) {
        tr.cells[1].title = 'click to edit';
        tr.cells[1].addEventListener('click', () => startEdit(name));
        const remove = document.createElement('button');
        remove.className = 'remove';
        remove.title = `remove ${name}`;
        remove.textContent = '×';
        remove.addEventListener('click', () => app.remove(name));
        tr.cells[6].appendChild(remove);
    }
    return tr;
}

function fillRow(row, name) {
    const value = app.get(name);
    const tr = row.tr;
    if (!tr.querySelector('input'))
        tr.cells[1].textContent = preview(value);
    tr.cells[2].textContent = packedType(app.packed(name));
    tr.cells[3].textContent = row.sender;
    tr.cells[4].textContent = String(row.updates);
    tr.cells[5].textContent = row.changed.toLocaleTimeString(undefined, { hour12: false }) + `.${String(row.changed.getMilliseconds()).padStart(3, '0')}`;
    tr.classList.remove('flash');
    void tr.offsetWidth; // restart the highlight
    tr.classList.add('flash');
}

function render() {
    frame = 0;
    const tbody = $('states').tBodies[0];
    for (const name of dirty) {
        if (name.startsWith('$hub/'))
            renderFigure(name);
        const row = rows.get(name);
        const attached = row?.tr.isConnected;
        if (!row || !visible(name) || !app.has(name)) {
            if (attached) {
                row.tr.remove();
                names.splice(sortedIndex(name), 1);
            }
            if (row && !app.has(name))
                rows.delete(name);
            continue;
        }
        if (!attached) {
            const i = sortedIndex(name);
            tbody.insertBefore(row.tr, tbody.rows[i] ?? null);
            names.splice(i, 0, name);
        }
        fillRow(row, name);
    }
    dirty.clear();
    $('count').textContent = `${names.length} of ${app.states.size} states`;
}

function refilter() {
    const pattern = $('filter').value.trim();
    try {
        matcher = pattern ? globToRegExp(pattern) : null;
        $('filter').setCustomValidity('');
    } catch {
        $('filter').setCustomValidity('not a valid pattern');
        return;
    }
    for (const name of rows.keys())
        schedule(name);
}

// --- the hub's figures ------------------------------------------------------

function renderFigure(name) {
    const list = $('figures');
    const id = `fig-${name}`;
    let item = document.getElementById(id);
    if (!app.has(name)) {
        item?.remove();
        return;
    }
    if (!item) {
        if (list.querySelector('div') === null)
            list.textContent = '';
        item = document.createElement('div');
        item.id = id;
        item.dataset.name = name;
        item.append(document.createElement('dt'), document.createElement('dd'));
        item.firstChild.textContent = name.slice('$hub/'.length);
        const after = [...list.children].find((el) => el.dataset.name > name);
        list.insertBefore(item, after ?? null);
    }
    const v = app.get(name);
    item.lastChild.textContent = typeof v === 'number' && !Number.isInteger(v) ? v.toFixed(1) : preview(v);
}

// --- editing -----------------------------------------------------------------

function startEdit(name) {
    const row = rows.get(name);
    const cell = row?.tr.cells[1];
    if (!cell || cell.querySelector('input'))
        return;
    const input = document.createElement('input');
    input.value = toJsonText(app.get(name));
    input.spellcheck = false;
    cell.textContent = '';
    cell.appendChild(input);
    input.focus();
    input.select();
    let done = false;
    const finish = (publish) => {
        if (done)
            return; // removing the input blurs it: finish runs once
        done = true;
        const text = input.value;
        input.remove();
        if (publish) {
            try {
                app.set(name, parseTyped(text));
            } catch (err) {
                cell.title = err.message;
            }
        }
        schedule(name);
    };
    input.addEventListener('keydown', (ev) => {
        if (ev.key === 'Enter')
            finish(true);
        else if (ev.key === 'Escape')
            finish(false);
    });
    input.addEventListener('blur', () => finish(false));
}

$('new-state').addEventListener('submit', (ev) => {
    ev.preventDefault();
    const name = $('new-name').value.trim();
    try {
        app.set(name, parseTyped($('new-value').value));
        $('form-error').textContent = '';
        $('new-name').value = '';
        $('new-value').value = '';
    } catch (err) {
        $('form-error').textContent = err.message;
    }
});

$('filter').addEventListener('input', refilter);

// --- the App's events --------------------------------------------------------

app.on('update', (name, value, sender) => {
    let row = rows.get(name);
    if (!row) {
        row = { tr: makeRow(name), updates: 0, changed: new Date(), sender };
        rows.set(name, row);
    }
    row.updates++;
    row.changed = new Date();
    row.sender = sender;
    schedule(name);
});

app.on('remove', (name) => schedule(name));

function showStatus() {
    const state = app.synced && app.connected ? 'synced' : app.connected ? 'connected' : 'disconnected';
    const status = $('status');
    status.dataset.state = state;
    $('status-text').textContent = state === 'synced' ? 'connected' : state === 'connected' ? 'syncing…' : 'disconnected';
}
for (const event of ['connect', 'disconnect', 'synced'])
    app.on(event, showStatus);
app.on('update', () => {
    if (!app.synced)
        showStatus();
});
app.on('error', (err) => console.warn('nanostate:', err.message));
showStatus();
setInterval(showStatus, 1000); // a resync starts without an event
