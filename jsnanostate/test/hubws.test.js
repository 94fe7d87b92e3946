// SPDX-License-Identifier: MIT
// The JS App against a real nanostate-hubws process, with the nanostate CLI
// (a C App, a separate process) on the nanomsg side.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import test from 'node:test';
import { fileURLToPath } from 'node:url';

import WebSocket from 'ws';

import { OP_BATCH, parseFrame } from '../src/frame.js';
import { ExtData, Nanostate } from '../src/nanostate.js';
import { encodeValue } from '../src/value.js';
import { cli, CLI, HubProcess, hubwsMissing } from './hub-process.js';
import { nextEvent, until } from './util.js';

const here = dirname(fileURLToPath(import.meta.url));
const skip = hubwsMissing();
const appOptions = { reconnectMinMs: 50, reconnectMaxMs: 500 };

// One hub per test; every App and process is ended when the test ends.
async function setup(t, args = []) {
    const hub = await HubProcess.start({ args });
    const apps = [];
    t.after(async () => {
        apps.forEach((app) => app.close());
        await hub.stop();
    });
    const open = async (identity, options = {}) => {
        const app = new Nanostate(hub.wsUrl, { identity, ...appOptions, ...options });
        apps.push(app);
        await app.ready(5000);
        return app;
    };
    return { hub, open };
}

// A C App (the nanostate CLI) sets 'NAME VALUE' lines as fast as it can.
async function cSetLines(hub, lines) {
    const writer = spawn(CLI, ['-c', hub.nnUrl, '--json', 'set', '-l'], { stdio: ['pipe', 'ignore', 'pipe'] });
    const done = new Promise((resolve) => writer.once('exit', resolve));
    writer.stdin.end(`${lines.join('\n')}\n`);
    assert.equal(await done, 0);
}

// The CLI's JSON output lines, by name (raw text kept for big integers).
async function dump(hub, pattern) {
    const r = await cli(hub, ['--json', 'dump', pattern]);
    assert.equal(r.code, 0, r.stderr);
    const out = new Map();
    for (const line of r.stdout.trim().split('\n').filter(Boolean)) {
        const parsed = JSON.parse(line);
        out.set(parsed.name, { ...parsed, raw: line });
    }
    return out;
}

test('JS -> C: every value type reaches a C App', { skip }, async (t) => {
    const { hub, open } = await setup(t);
    const app = await open('js-writer');
    const values = {
        'js/nil': null,
        'js/true': true,
        'js/false': false,
        'js/int': 42,
        'js/int5.0': 5.0,
        'js/neg': -7,
        'js/float': 0.5,
        'js/int40': 2 ** 40,
        'js/u64max': (1n << 64n) - 1n,
        'js/i64min': -(1n << 63n),
        'js/str': 'héllo wörld ✓',
        'js/bin': new Uint8Array([0, 1, 254, 255]),
        'js/array': [1, 'two', [3.5, null]],
        'js/map': { a: 1, b: { c: [true, false] } },
        'js/date': new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 678)),
        'js/ext': new ExtData(5, new Uint8Array([0xde, 0xad, 0xbe, 0xef])),
    };
    for (const [name, value] of Object.entries(values))
        app.set(name, value);
    await app.flush(5000);

    const seen = await dump(hub, 'js/*');
    const value = (name) => seen.get(name)?.value;
    assert.equal(seen.size, Object.keys(values).length);
    for (const [name, v] of seen)
        assert.equal(v.sender, 'js-writer', name);
    assert.equal(value('js/nil'), null);
    assert.equal(value('js/true'), true);
    assert.equal(value('js/false'), false);
    assert.equal(value('js/int'), 42);
    assert.match(seen.get('js/int5.0').raw, /"value":5[,}]/, '5.0 goes as int 5');
    assert.equal(value('js/neg'), -7);
    assert.equal(value('js/float'), 0.5);
    assert.match(seen.get('js/int40').raw, /"value":1099511627776[,}]/);
    assert.equal(value('js/u64max'), '18446744073709551615', 'the CLI writes uints above 2^63-1 as digits');
    assert.match(seen.get('js/i64min').raw, /"value":-9223372036854775808[,}]/);
    assert.equal(value('js/str'), 'héllo wörld ✓');
    assert.deepEqual(value('js/bin'), { base64: Buffer.from([0, 1, 254, 255]).toString('base64') });
    assert.deepEqual(value('js/array'), [1, 'two', [3.5, null]]);
    assert.deepEqual(value('js/map'), { a: 1, b: { c: [true, false] } });
    // timestamp 64: 30 bits of nanoseconds (678000000), 34 bits of seconds.
    const ts = Buffer.alloc(8);
    ts.writeBigUInt64BE((678000000n << 34n) | 1704164645n);
    const date = value('js/date');
    assert.equal(date.ext, -1);
    assert.equal(Buffer.from(date.base64, 'base64').toString('hex'), ts.toString('hex'));
    assert.deepEqual(value('js/ext'), { ext: 5, base64: '3q2+7w==' });
});

test('C -> JS: the values a C App sets arrive as natural JS values', { skip }, async (t) => {
    const { hub, open } = await setup(t);
    const app = await open('js-reader');
    const ts = Buffer.alloc(8); // timestamp 64: 30-bit nanoseconds, 34-bit seconds
    ts.writeBigUInt64BE((5000n << 34n) | 1704164645n);
    const sets = {
        'c/nil': 'null',
        'c/true': 'true',
        'c/int': '42',
        'c/neg': '-5',
        'c/safe': '9007199254740991',
        'c/unsafe': '9007199254740993',
        'c/i64min': '-9223372036854775808',
        'c/float': '2.5',
        'c/str': '"héllo"',
        'c/bin': '{"base64":"AAEC/w=="}',
        'c/array': '[1,"a",[null]]',
        'c/map': '{"x":1,"y":{"z":false}}',
        'c/ext': '{"ext":5,"base64":"3q2+7w=="}',
        'c/ts': `{"ext":-1,"base64":"${ts.toString('base64')}"}`,
    };
    const r = await cli(hub, ['--json', '-i', 'c-writer', 'set', ...Object.entries(sets).flat()]);
    assert.equal(r.code, 0, r.stderr);
    await until(app, () => Object.keys(sets).every((name) => app.has(name)), 'every c/ state');
    assert.equal(app.get('c/nil'), null);
    assert.equal(app.get('c/true'), true);
    assert.equal(app.get('c/int'), 42);
    assert.equal(app.get('c/neg'), -5);
    assert.equal(app.get('c/safe'), 9007199254740991);
    assert.equal(app.get('c/unsafe'), 9007199254740993n, 'beyond 2^53-1: a BigInt');
    assert.equal(app.get('c/i64min'), -(1n << 63n));
    assert.equal(app.get('c/float'), 2.5);
    assert.equal(app.get('c/str'), 'héllo');
    assert.deepEqual(app.get('c/bin'), new Uint8Array([0, 1, 2, 255]));
    assert.deepEqual(app.get('c/array'), [1, 'a', [null]]);
    assert.deepEqual(app.get('c/map'), { x: 1, y: { z: false } });
    const ext = app.get('c/ext');
    assert.ok(ext instanceof ExtData);
    assert.equal(ext.type, 5);
    assert.deepEqual(ext.data, new Uint8Array([0xde, 0xad, 0xbe, 0xef]));
    assert.ok(app.get('c/ts') instanceof Date);
    assert.equal(app.get('c/ts').toISOString(), '2024-01-02T03:04:05.000Z');
    assert.equal(app.sender('c/int'), 'c-writer');
});

test('JS -> JS: the types the CLI cannot express', { skip }, async (t) => {
    const { open } = await setup(t);
    const a = await open('js-a');
    const b = await open('js-b');
    a.set('jj/map-int-keys', new Map([[1, 'one'], [-2, 'minus two'], [true, 'yes']]));
    a.set('jj/u64max', (1n << 64n) - 1n);
    a.set('jj/nested', { list: [new Uint8Array([7]), new Date(0)] });
    a.set('jj/empty', ''); // the CLI shows an empty str as {"base64": ""}
    await a.flush(5000);
    await until(b, () => b.has('jj/nested') && b.has('jj/u64max') && b.has('jj/map-int-keys') && b.has('jj/empty'), 'jj/ states in b');
    assert.deepEqual(b.get('jj/map-int-keys'), { 1: 'one', '-2': 'minus two', true: 'yes' });
    assert.equal(b.get('jj/u64max'), (1n << 64n) - 1n);
    assert.deepEqual(b.get('jj/nested'), { list: [new Uint8Array([7]), new Date(0)] });
    assert.equal(b.sender('jj/nested'), 'js-a');
    assert.equal(b.get('jj/empty'), '');
});

test('snapshot on connect: a new App gets the table', { skip }, async (t) => {
    const { hub, open } = await setup(t);
    const r = await cli(hub, ['--json', 'set', 'snap/a', '1', 'snap/b', '"two"']);
    assert.equal(r.code, 0, r.stderr);
    const app = new Nanostate(hub.wsUrl, { identity: 'late', ...appOptions });
    t.after(() => app.close());
    const fromSnapshot = [];
    app.on('update', (name, value, sender, snap) => fromSnapshot.push([name, snap]));
    await app.ready(5000);
    assert.equal(app.get('snap/a'), 1);
    assert.equal(app.get('snap/b'), 'two');
    assert.deepEqual(fromSnapshot.filter(([name]) => name.startsWith('snap/')).sort(), [['snap/a', true], ['snap/b', true]]);
    assert.equal(app.connected, true);
});

test('no echo: the sender gets an ACK with the seq, others the update', { skip }, async (t) => {
    const { hub, open } = await setup(t);
    const a = await open('js-a');
    const b = await open('js-b');
    const aUpdates = [];
    a.on('update', (name, value, sender, snap, info) => aUpdates.push([name, value, info.local]));
    const bSees = nextEvent(b, 'update', (name) => name === 'echo/x', 5000);
    a.set('echo/x', 1);
    await a.flush(5000);
    const [, value, sender, snap] = await bSees;
    assert.deepEqual([value, sender, snap], [1, 'js-a', false]);
    assert.deepEqual(aUpdates, [['echo/x', 1, true]], 'only the local update: no echo');
    // The ACK numbered the change: a's last seq follows on without a gap.
    const r = await cli(hub, ['--json', 'set', 'echo/y', '2']);
    assert.equal(r.code, 0, r.stderr);
    await until(a, () => a.get('echo/y') === 2, 'echo/y in a');
    for (let i = 2; i <= 20; i++)
        a.set('echo/x', i);
    await a.flush(5000);
    await until(b, () => b.get('echo/x') === 20, 'echo/x = 20 in b');
    assert.equal(a.stats.gaps, 0, 'no gap: every ACK carried the next seq');
    assert.equal(a.stats.resyncs, 1, 'one sync: the first');
    assert.equal(a.stats.resends, 0);
    assert.equal(b.stats.gaps, 0);
});

test('the hub is killed and restarted: reconnect, resync, own states re-published', { skip }, async (t) => {
    const { hub, open } = await setup(t);
    const a = await open('js-owner');
    a.set('own/x', { kept: true });
    a.set('own/y', 7);
    await a.flush(5000);
    const r = await cli(hub, ['--json', 'set', 'other/z', '1']);
    assert.equal(r.code, 0, r.stderr);
    await until(a, () => a.has('other/z'), 'other/z in a');

    const down = nextEvent(a, 'disconnect', () => true, 10000);
    await hub.kill('SIGKILL');
    await down;
    assert.equal(a.connected, false);
    assert.deepEqual(a.get('own/x'), { kept: true }, 'states stay while the hub is away');
    a.set('own/while-away', 'queued');

    const up = nextEvent(a, 'connect', () => true, 10000);
    await hub.start(); // same ports, new epoch, empty table
    await up;
    await until(a, () => a.stats.hubRestarts === 1, 'the new epoch seen', 10000);
    await a.flush(10000); // the re-published states accepted
    assert.equal(a.has('other/z'), false, 'the new hub does not have other/z');
    assert.deepEqual(a.get('own/x'), { kept: true });

    // A C App of the new hub run sees the re-published states.
    const seen = await dump(hub, 'own/*');
    assert.deepEqual([...seen.keys()].sort(), ['own/while-away', 'own/x', 'own/y']);
    assert.deepEqual(seen.get('own/x').value, { kept: true });
    assert.equal(seen.get('own/y').value, 7);
    assert.equal(seen.get('own/x').sender, 'js-owner');
    // And a second JS App too.
    const b = await open('js-second');
    assert.deepEqual(b.get('own/x'), { kept: true });
    assert.equal(b.get('own/while-away'), 'queued');
});

test('a Node.js script is an App', { skip }, async (t) => {
    const { hub } = await setup(t);
    const child = spawn(process.execPath, [join(here, 'fixtures', 'node-app.mjs'), hub.wsUrl], { stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    t.after(() => child.exitCode === null && child.kill('SIGKILL'));
    let out = '';
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    const ready = new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`node-app not ready: ${out} ${err}`)), 10000);
        child.stdout.on('data', (d) => {
            out += d;
            if (out.includes('ready\n')) {
                clearTimeout(timer);
                resolve();
            }
        });
    });
    await ready;
    const got = await cli(hub, ['--json', 'get', 'node/hello']);
    assert.equal(got.code, 0, got.stderr);
    const hello = JSON.parse(got.stdout);
    assert.equal(hello.value.pid, child.pid);
    assert.equal(hello.sender, 'node-app');
    const set = await cli(hub, ['set', 'node/reply', 'hi there']);
    assert.equal(set.code, 0, set.stderr);
    const timer = setTimeout(() => child.kill('SIGKILL'), 10000);
    const code = await exited;
    clearTimeout(timer);
    assert.equal(code, 0, `exit status (stderr: ${err})`);
    assert.match(out, /reply hi there\n/);
    // The script exits by itself once its App is closed: nothing keeps it.
});

test('a flood of updates from both sides converges', { skip }, async (t) => {
    const { hub, open } = await setup(t);
    const a = await open('js-flood', { sendWindow: 8192 });
    const b = await open('js-watcher');
    // 12000 sets over 100 names, in bursts, through an 8 KiB send window:
    // most are conflated while earlier ones are in flight.
    const expected = {};
    for (let burst = 0; burst < 40; burst++) {
        for (let i = 0; i < 100 * 3; i++) {
            const name = `flood/${i % 100}`;
            const value = { burst, i, pad: 'x'.repeat(200) };
            a.set(name, value);
            expected[name] = value;
        }
        await new Promise((resolve) => setImmediate(resolve)); // let frames flow
    }
    // A C App floods too, while the JS App does.
    const lines = [];
    for (let i = 0; i < 500; i++)
        lines.push(`cflood/${i % 50} ${i}`);
    await cSetLines(hub, lines);
    await a.flush(15000);
    for (let i = 0; i < 50; i++)
        expected[`cflood/${i}`] = 450 + i;
    const matches = (app) => Object.entries(expected).every(([name, v]) => JSON.stringify(app.get(name)) === JSON.stringify(v));
    await until(a, () => matches(a), 'a converged', 15000);
    await until(b, () => matches(b), 'b converged', 15000);
    const seen = await dump(hub, 'flood/*');
    assert.equal(seen.size, 100);
    for (const [name, v] of seen)
        assert.deepEqual(v.value, expected[name], name);
    t.diagnostic(`${a.stats.framesOut} frames for 12000 sets`);
    assert.ok(a.stats.framesOut < 6000, `conflated: ${a.stats.framesOut} frames for 12000 sets`);
});

test('a refused write (read-only hub) is dropped with an EPERM error, reading goes on', { skip }, async (t) => {
    const hub = await HubProcess.start({ args: ['--read-only-ws'] });
    const app = new Nanostate(hub.wsUrl, { identity: 'viewer', ...appOptions });
    t.after(async () => {
        app.close();
        await hub.stop();
    });
    await app.ready(5000);
    const refused = nextEvent(app, 'error', (err) => err.code === 'EPERM', 5000);
    app.set('ro/x', 1);
    assert.equal(app.get('ro/x'), 1); // shown at once, as any own update
    const [err] = await refused;
    assert.match(err.message, /refused a write.*1 pending update/);
    assert.equal(app.pending, 0);
    assert.equal(app.get('ro/x'), undefined); // the hub's value again
    // It reconnects and goes on reading; the refused update never returns.
    const r = await cli(hub, ['set', 'ro/y', 'from-c']);
    assert.equal(r.code, 0, r.stderr);
    await until(app, () => app.get('ro/y') === 'from-c', 'ro/y from the C App');
    assert.equal((await dump(hub, 'ro/*')).has('ro/x'), false);
});

// --- BATCH frames (PROTOCOL.md 7.9, 7.10) ------------------------------------

// A WebSocket that counts the messages it receives and sends.
class CountingWebSocket extends WebSocket {
    static messagesIn = 0;
    static messagesOut = 0;

    send(...args) {
        CountingWebSocket.messagesOut++;
        return super.send(...args);
    }

    set onmessage(fn) {
        super.onmessage = fn && ((ev) => {
            CountingWebSocket.messagesIn++;
            fn(ev);
        });
    }

    get onmessage() {
        return super.onmessage;
    }
}

// A C App (the nanostate CLI) sets burst/0..n-1 to 0..n-1 as fast as it can.
function cBurst(hub, n) {
    return cSetLines(hub, [...Array(n).keys()].map((i) => `burst/${i} ${i}`));
}

// The live updates of burst/* an App shows, in the order it got them.
function recordBurst(app) {
    const seen = [];
    app.on('update', (name, value, sender, fromSnapshot) => {
        if (name.startsWith('burst/'))
            seen.push({ value, fromSnapshot });
    });
    return seen;
}

test('a burst from a C App reaches a JS App whole, in order, in BATCH messages', { skip }, async (t) => {
    const { hub, open } = await setup(t);
    const app = await open('js-reader', { WebSocket: CountingWebSocket });
    const seen = recordBurst(app);
    const framesBefore = app.stats.framesIn;
    const messagesBefore = CountingWebSocket.messagesIn;
    const n = 2000;
    await cBurst(hub, n);
    await until(app, () => seen.length === n, `${n} updates`, 15000);
    assert.deepEqual(seen.map((s) => s.value), [...Array(n).keys()]);
    assert.ok(seen.every((s) => !s.fromSnapshot), 'live updates, no resync');
    assert.equal(app.stats.gaps, 0);
    const frames = app.stats.framesIn - framesBefore;
    const messages = CountingWebSocket.messagesIn - messagesBefore;
    t.diagnostic(`${frames} frames in ${messages} messages`);
    assert.ok(messages < frames / 4, `${frames} frames in ${messages} messages`);
});

test('an original WebSocket client (3-element frames) gets every frame alone', { skip }, async (t) => {
    const { hub, open } = await setup(t);
    const app = await open('js-reader', { WebSocket: CountingWebSocket });
    const seen = recordBurst(app);
    // The original browser App: sends [sender, name, data] with a str, never a SYNC.
    const legacy = new WebSocket(hub.wsUrl);
    t.after(() => legacy.terminate());
    const got = [];
    legacy.on('message', (data) => got.push(parseFrame(new Uint8Array(data))));
    await new Promise((resolve, reject) => {
        legacy.once('open', resolve);
        legacy.once('error', reject);
    });
    legacy.send(encodeValue(['old-page', 'legacy/hello', 'hi']));
    await until(app, () => app.get('legacy/hello') === 'hi', 'the original client\'s set');
    const messagesBefore = CountingWebSocket.messagesIn;
    const n = 500;
    await cBurst(hub, n);
    await until(app, () => seen.length === n, `${n} updates`, 15000);
    const deadline = Date.now() + 10000;
    while (got.filter((f) => f.name.startsWith('burst/')).length < n && Date.now() < deadline)
        await new Promise((resolve) => legacy.once('message', resolve));
    assert.equal(got.filter((f) => f.op === OP_BATCH).length, 0, 'no BATCH');
    const burst = got.filter((f) => f.name.startsWith('burst/'));
    assert.equal(burst.length, n);
    assert.deepEqual(burst.map((f) => f.seq), burst.map((f, i) => burst[0].seq + i));
    // So does the App beside it, whole and in order.
    assert.deepEqual(seen.map((s) => s.value), [...Array(n).keys()]);
    assert.ok(CountingWebSocket.messagesIn - messagesBefore >= n);
});

test('a JS App\'s burst goes in BATCHes and reaches another JS App whole and in order', { skip }, async (t) => {
    const { open } = await setup(t);
    const writer = await open('js-writer', { WebSocket: CountingWebSocket });
    const reader = await open('js-reader');
    const seen = recordBurst(reader);
    const messagesBefore = CountingWebSocket.messagesOut;
    const n = 3000;
    for (let i = 0; i < n; i++)
        writer.set(`burst/${i}`, i);
    await writer.flush(15000);
    await until(reader, () => seen.length === n, `${n} updates`, 15000);
    assert.deepEqual(seen.map((s) => s.value), [...Array(n).keys()]);
    assert.equal(reader.stats.gaps, 0);
    assert.equal(writer.stats.resends, 0);
    const messages = CountingWebSocket.messagesOut - messagesBefore;
    t.diagnostic(`${n} updates in ${messages} messages`);
    assert.ok(messages < n / 4, `${n} updates in ${messages} messages`);
});

test('a limited token refuses BATCH (1008): the App sends its frames alone and loses none', { skip }, async (t) => {
    const { hub, open } = await setup(t, ['--token', 's3cret:burst/']);
    const app = await open('limited', { token: 's3cret' });
    const reader = await open('reader', { token: 's3cret' });
    const errors = [];
    app.on('error', (err) => errors.push(err));
    const down = nextEvent(app, 'disconnect', () => true, 5000);
    const n = 300;
    for (let i = 0; i < n; i++)
        app.set(`burst/${i}`, i);
    await down; // the hub closed it for the BATCH
    await app.flush(15000);
    await until(reader, () => reader.get(`burst/${n - 1}`) === n - 1, 'the last value', 15000);
    for (let i = 0; i < n; i++)
        assert.equal(reader.get(`burst/${i}`), i);
    assert.equal(errors.filter((err) => err.code === 'EPERM').length, 0);
    // From then on it writes alone: no second close.
    const again = nextEvent(app, 'disconnect', () => true, 1000).then(() => true, () => false);
    for (let i = 0; i < n; i++)
        app.set(`burst/${i}`, -i);
    await app.flush(15000);
    assert.equal(await again, false);
});
