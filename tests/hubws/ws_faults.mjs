// SPDX-License-Identifier: MIT
// The WebSocket side of tests/hubws/test_ws_faults.sh, against a real
// nanostate-hubws whose nanomsg side a C App (ws_publisher.c) feeds:
//
//   node ws_faults.mjs SCENARIO url=WS_URL [key=value]...
//
//   fanout   clients=N names=M lines=FILE: N JS Apps wait for the C App's
//            M states
//   stall    lines=FILE hub_pid=PID hub_log=FILE (the hub's -v stderr)
//            [rounds=N, default 80: N x 200 values of 4000 B]: a client
//            that never reads, and others, while the C App floods; the
//            hub's memory meanwhile
//   garbage  lines=FILE max_frame=BYTES rate=N [probes=before]: clients
//            sending N invalid frames/s while valid traffic (the C App's and
//            a JS App's) flows; text and oversize frames from other clients
//            meanwhile, or before the invalid frames start
//   drops    count=N hub_pid=PID: clients that drop the connection in the
//            middle of a frame or of the handshake
//
// A scenario first writes the C App's input to FILE ("NAME VALUE" lines),
// prints "ready" once the shell may start the C App, then "result KEY VALUE"
// lines and "done". The shell judges the results; this script only fails
// (exit 1, "error ...") when a scenario cannot run.

import { closeSync, openSync, readdirSync, readFileSync, writeSync } from 'node:fs';

import { Nanostate } from '../../jsnanostate/src/nanostate.js';
import { clientFrame, connectTcp, garbageFrames, readUntilEnd, upgrade, upgradeHead, WebSocket } from './ws_raw.mjs';

const say = (line) => process.stdout.write(`${line}\n`);
const result = (key, value) => say(`result ${key} ${value}`);
const now = () => Date.now();

/** Resolves when condition() holds (checked every 20 ms); rejects after
 * timeoutMs, naming `what`. */
function until(condition, timeoutMs, what) {
    return new Promise((resolve, reject) => {
        const deadline = now() + timeoutMs;
        const check = () => {
            if (condition())
                resolve();
            else if (now() > deadline)
                reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
            else
                setTimeout(check, 20);
        };
        check();
    });
}

/** Like until(), but says whether the condition came true instead of throwing. */
const cameTrue = (condition, timeoutMs) => until(condition, timeoutMs, '').then(() => true, () => false);

/** Writes "NAME VALUE" lines: `rounds` times every name of `names`, the value
 * of round r being value(r, i); returns the final table (name -> value). */
function writeLines(path, names, rounds, value) {
    const expected = new Map();
    const fd = openSync(path, 'w');
    for (let r = 0; r < rounds; r++) {
        const lines = [];
        for (let i = 0; i < names.length; i++) {
            const v = value(r, i);
            lines.push(`${names[i]} ${v}`);
            expected.set(names[i], v);
        }
        writeSync(fd, `${lines.join('\n')}\n`);
    }
    closeSync(fd);
    return expected;
}

const range = (n, name) => Array.from({ length: n }, (_, i) => name(i));

/** Opens `count` Apps, `batch` at a time, each synced before the next batch. */
async function openApps(url, count, prefix, batch = 50) {
    const apps = [];
    for (let k = 0; k < count; k += batch) {
        const group = [];
        for (let j = k; j < Math.min(count, k + batch); j++) {
            const app = new Nanostate(url, { identity: `${prefix}-${j}`, reconnectMinMs: 200, reconnectMaxMs: 2000 });
            app.on('error', () => {}); // reconnects are counted in stats
            group.push(app);
        }
        await Promise.all(group.map((app) => app.ready(60000)));
        apps.push(...group);
    }
    return apps;
}

/** Follows how far an App's states under `prefix` match `expected`: when
 * they first changed, how many updates came, when they all matched. */
class Convergence {
    constructor(app, prefix, expected) {
        this.app = app;
        this.prefix = prefix;
        this.updates = 0;
        this.firstAt = 0;
        this.convergedAt = 0;
        this.firstSeq = Infinity;
        this.lastSeq = 0;
        this.matching = new Set();
        const check = (name, value) => {
            if (!name.startsWith(prefix))
                return;
            if (value !== undefined && this.expected.get(name) === value)
                this.matching.add(name);
            else
                this.matching.delete(name);
            this.convergedAt = this.matching.size === this.expected.size ? now() : 0;
        };
        app.on('update', (name, value, sender, snapshot, info) => {
            if (!name.startsWith(prefix))
                return;
            this.updates++;
            this.firstAt ||= now();
            this.firstSeq = Math.min(this.firstSeq, info.seq);
            this.lastSeq = Math.max(this.lastSeq, info.seq);
            check(name, value);
        });
        app.on('remove', (name) => check(name, undefined));
        this.expect(expected);
    }

    /** Expects `table` from now on (the states the App holds already count). */
    expect(table) {
        this.expected = table;
        this.matching.clear();
        for (const [name, value] of this.app.states)
            if (name.startsWith(this.prefix) && table.get(name) === value)
                this.matching.add(name);
        this.convergedAt = this.matching.size === table.size ? now() : 0;
    }

    get converged() {
        return this.convergedAt !== 0;
    }

    /** How the App's states under the prefix differ from the expected table:
     * up to `most` lines, [] when they are equal (no state missing or extra). */
    differences(most = 3) {
        const out = [];
        const seen = new Set();
        for (const [name, value] of this.app.states) {
            if (!name.startsWith(this.prefix))
                continue;
            seen.add(name);
            if (!this.expected.has(name))
                out.push(`${this.app.identity}: extra ${name}`);
            else if (this.expected.get(name) !== value)
                out.push(`${this.app.identity}: ${name} = ${String(value).slice(0, 24)}, not ${this.expected.get(name).slice(0, 24)}`);
        }
        for (const name of this.expected.keys())
            if (!seen.has(name))
                out.push(`${this.app.identity}: ${name} missing`);
        return out.slice(0, most);
    }
}

/** Every tracker's differences, at most `most` lines in all. */
function allDifferences(trackers, most = 5) {
    const out = [];
    for (const t of trackers) {
        out.push(...t.differences(most - out.length));
        if (out.length >= most)
            break;
    }
    return out;
}

const figure = (app, name) => app.get(`$hub/${name}`);

function reportTables(trackers) {
    const diffs = allDifferences(trackers);
    result('tables_equal', diffs.length === 0 ? 1 : 0);
    result('tables_differing', trackers.filter((t) => t.differences(1).length).length);
    for (const d of diffs)
        say(`diag ${d}`);
}

function sumStats(apps, key) {
    return apps.reduce((n, app) => n + app.stats[key], 0);
}

// --- 1. fan-out -----------------------------------------------------------

async function fanout(o) {
    const clients = Number(o.clients ?? 1000);
    const expected = writeLines(o.lines, range(Number(o.names ?? 200), (i) => `fan/${i}`), 1, (_, i) => `v${i}`);
    const t0 = now();
    const apps = await openApps(o.url, clients, 'fan');
    result('connect_ms', now() - t0);
    // Each was synced once; a heartbeat may have started a resync since.
    await cameTrue(() => apps.every((a) => a.synced), 10000);
    result('synced', apps.filter((a) => a.synced).length);
    const trackers = apps.map((a) => new Convergence(a, 'fan/', expected));
    const hubSees = await cameTrue(() => figure(apps[0], 'clients/other') >= clients, 5000);
    result('hub_clients', figure(apps[0], 'clients/other') ?? 'none');
    result('hub_saw_all', hubSees ? 1 : 0);
    const framesBefore = sumStats(apps, 'framesIn');
    say('ready');

    const converged = await cameTrue(() => trackers.every((t) => t.converged), 60000);
    const first = Math.min(...trackers.map((t) => t.firstAt || Infinity));
    const last = Math.max(...trackers.map((t) => t.convergedAt));
    const delivered = trackers.reduce((n, t) => n + t.updates, 0);
    result('converged', trackers.filter((t) => t.converged).length);
    result('first_update_at', first);
    result('last_converged_at', converged ? last : 0);
    result('updates_delivered', delivered);
    result('frames_in', sumStats(apps, 'framesIn') - framesBefore);
    result('fanout_per_s', converged ? Math.round(delivered / (Math.max(1, last - first) / 1000)) : 0);
    result('resyncs', sumStats(apps, 'resyncs') - clients); // beyond the first sync
    result('reconnects', sumStats(apps, 'reconnects'));
    reportTables(trackers);
    apps.forEach((a) => a.close());
}

// --- 2. a stalled client ----------------------------------------------------

function rssKiB(pid) {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : NaN;
}

async function stall(o) {
    const valueBytes = 4000;
    const rounds = Number(o.rounds ?? 80);
    const pad = 'x'.repeat(valueBytes);
    const expected = writeLines(o.lines, range(200, (i) => `flood/${i}`), rounds, (r, i) => `r${r}-${i}-${pad}`);
    const apps = await openApps(o.url, 3, 'reader');
    const trackers = apps.map((a) => new Convergence(a, 'flood/', expected));
    const stalled = await upgrade(o.url);
    await until(() => figure(apps[0], 'clients/other') === apps.length + 1, 10000, 'the hub to count the stalled client');
    const pid = Number(o.hub_pid);
    const before = rssKiB(pid);
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, rssKiB(pid))), 20);
    say('ready');

    // The hub says (-v) when it closes a client for stalling: this one, by
    // its port, and not a reader that fell behind for a while.
    const t0 = now();
    const stalledLine = new RegExp(`\\(127\\.0\\.0\\.1:${stalled.socket.localPort}\\) stalled`);
    const dropped = await cameTrue(() => stalledLine.test(readFileSync(o.hub_log, 'utf8')), 60000);
    result('stalled_dropped_after_ms', dropped ? now() - t0 : -1);
    await cameTrue(() => trackers.every((t) => t.converged), 60000);
    result('converged', trackers.filter((t) => t.converged).length);
    peak = Math.max(peak, rssKiB(pid));
    clearInterval(sampler);
    result('rss_before_kib', before);
    result('rss_peak_kib', peak);
    result('rss_after_kib', rssKiB(pid));
    // Changes the hub numbered during the flood (a few $hub/ figures among
    // them), and the bytes of values they carried.
    const changes = Math.max(...trackers.map((t) => t.lastSeq)) - Math.min(...trackers.map((t) => t.firstSeq)) + 1;
    result('flood_changes', changes);
    result('flood_mib', ((changes * valueBytes) / 1048576).toFixed(1));
    result('reader_updates', trackers.map((t) => t.updates).join(','));
    result('reader_resyncs', sumStats(apps, 'resyncs') - apps.length);
    reportTables(trackers);

    // Only now does the stalled client read: what did the hub do to it?
    const end = await readUntilEnd(stalled.socket, stalled.rest, 15000);
    result('stalled_end', end.end);
    result('stalled_close_code', end.closeCode ?? 'none');
    result('stalled_read_kib', Math.round(end.bytes / 1024));
    apps.forEach((a) => a.close());
}

// --- 3. garbage -------------------------------------------------------------

/** Sends the frames of `pool` over `ws` in a loop, `perSecond` of them a
 * second (fewer if the socket does not take them), until stop(); returns
 * {stop, sent}. */
function pumpGarbage(ws, pool, perSecond) {
    const state = { sent: 0, running: true, stop() { this.running = false; } };
    const start = now();
    let next = 0;
    const pump = () => {
        if (!state.running || ws.readyState !== WebSocket.OPEN)
            return;
        const due = Math.floor(((now() - start) * perSecond) / 1000);
        while (state.sent < due && ws.bufferedAmount < 256 * 1024) {
            ws.send(pool[next].bytes, { binary: true });
            next = (next + 1) % pool.length;
            state.sent++;
        }
        setTimeout(pump, 5);
    };
    pump();
    return state;
}

/** A raw `ws` client; resolves once open. */
function openWs(url) {
    return new Promise((resolve, reject) => {
        const ws = new WebSocket(url, { perMessageDeflate: false });
        ws.once('open', () => resolve(ws));
        ws.once('error', reject);
        ws.on('error', () => {}); // after the open: a close code tells
    });
}

/** Opens a client, sends `frame` (a string goes as a text message), and
 * resolves with the close code the hub answers with ('none' after 5 s,
 * 'no-connection(...)' if it could not connect). */
async function closeCodeFor(url, frame) {
    let ws;
    try {
        ws = await openWs(url);
    } catch (err) {
        return `no-connection(${err.code ?? err.message})`;
    }
    const closed = new Promise((resolve) => ws.once('close', (code) => resolve(code)));
    ws.send(frame, { binary: typeof frame !== 'string' });
    const timeout = new Promise((resolve) => setTimeout(() => resolve('none'), 5000).unref());
    const code = await Promise.race([closed, timeout]);
    ws.terminate();
    return code;
}

async function garbage(o) {
    const minMs = Number(o.min_ms ?? 3000);
    const maxFrame = Number(o.max_frame ?? 65536);
    const rate = Number(o.rate ?? 25000);
    const cExpected = writeLines(o.lines, range(100, (i) => `valid/c/${i}`), 20, (r, i) => `c${r}-${i}`);
    const observers = await openApps(o.url, 2, 'observer');
    const [writer] = await openApps(o.url, 1, 'js-writer');
    const trackers = observers.map((a) => new Convergence(a, 'valid/c/', cExpected));
    await until(() => figure(observers[0], 'rejected') !== undefined, 5000, '$hub/rejected');
    const rejectedBefore = figure(observers[0], 'rejected');

    // Valid traffic from the WebSocket side throughout.
    const jsExpected = new Map();
    let n = 0;
    const jsTimer = setInterval(() => {
        for (let k = 0; k < 5; k++, n++) {
            const name = `valid/js/${n % 50}`;
            writer.set(name, `js${n}`);
            jsExpected.set(name, `js${n}`);
        }
    }, 5);
    // Text frames and an oversize frame, each from a client of its own.
    const textCodes = [];
    let oversizeCode;
    const probe = async () => {
        for (let i = 0; i < 5; i++)
            textCodes.push(await closeCodeFor(o.url, `text frame ${i}`));
        oversizeCode = await closeCodeFor(o.url, Buffer.alloc(maxFrame + 1, 0x91));
    };
    if (o.probes === 'before')
        await probe();
    const pool = garbageFrames(4000);
    const senders = await Promise.all([1, 2, 3].map(() => openWs(o.url)));
    const t0 = now();
    const pumps = senders.map((ws) => pumpGarbage(ws, pool, rate / senders.length));
    if (o.probes !== 'before')
        await probe();
    say('ready');

    // Garbage goes on until the C App's updates all arrived, and for min_ms.
    const cConverged = await cameTrue(() => trackers.every((t) => t.converged), 60000);
    await until(() => now() - t0 >= minMs, minMs + 1000, 'the garbage period');
    clearInterval(jsTimer);
    pumps.forEach((p) => p.stop());
    const elapsed = now() - t0;
    const sent = pumps.reduce((s, p) => s + p.sent, 0);
    await writer.flush(20000).catch(() => {});
    const all = new Map([...cExpected, ...jsExpected]);
    const valid = observers.map((a) => new Convergence(a, 'valid/', all));
    const converged = await cameTrue(() => valid.every((t) => t.converged), 20000);
    result('c_converged', cConverged ? 1 : 0);
    result('converged', converged ? 1 : 0);
    result('valid_states', all.size);
    result('js_sets', n);
    reportTables(valid);

    const counted = await cameTrue(() => figure(observers[0], 'rejected') - rejectedBefore >= sent, 30000);
    const hubDone = now();
    result('garbage_sent', sent);
    result('garbage_send_per_s', Math.round(sent / (elapsed / 1000)));
    result('rejected', figure(observers[0], 'rejected') - rejectedBefore);
    // At least: the time runs until the next $hub/rejected figure showed all.
    result('rejected_per_s', counted ? Math.round(sent / ((hubDone - t0) / 1000)) : 0);
    result('garbage_kinds', [...new Set(pool.map((f) => f.kind))].join(','));
    result('text_close_codes', textCodes.join(','));
    result('oversize_close_code', oversizeCode);
    result('garbage_clients_open', senders.filter((ws) => ws.readyState === WebSocket.OPEN).length);
    senders.forEach((ws) => ws.terminate());
    observers.forEach((a) => a.close());
    writer.close();
}

// --- 4. abrupt drops --------------------------------------------------------

// Ways to leave: RST or FIN, in the middle of a frame or of the HTTP head.
const DROPS = [
    { name: 'rst-mid-frame', upgraded: true, cut: 20, reset: true },
    { name: 'fin-mid-frame', upgraded: true, cut: 20, reset: false },
    { name: 'rst-mid-header', upgraded: true, cut: 1, reset: true },
    { name: 'rst-mid-handshake', upgraded: false, reset: true },
];

async function dropOnce(url, how) {
    let socket;
    if (how.upgraded) {
        ({ socket } = await upgrade(url));
        socket.write(clientFrame(0x2, Buffer.alloc(1000, 0x96), how.cut));
    } else {
        socket = await connectTcp(url);
        socket.on('error', () => {});
        const head = upgradeHead(url);
        socket.write(head.slice(0, head.length >> 1));
    }
    // Written, then gone before the rest of the frame or head.
    await new Promise((resolve) => socket.write('', resolve));
    if (how.reset)
        socket.resetAndDestroy();
    else
        socket.destroy();
}

const fdCount = (pid) => readdirSync(`/proc/${pid}/fd`).length;

async function drops(o) {
    const count = Number(o.count ?? 100);
    const [observer] = await openApps(o.url, 1, 'observer');
    await until(() => figure(observer, 'clients/other') === 1, 5000, 'the hub to count the observer');
    const baseline = figure(observer, 'clients/other');
    const pid = Number(o.hub_pid);
    const fdsBefore = fdCount(pid);
    say('ready');
    const t0 = now();
    let failed = 0;
    let maxSeen = baseline;
    const watch = observer.on('update', (name, value) => {
        if (name === '$hub/clients/other')
            maxSeen = Math.max(maxSeen, value);
    });
    for (let i = 0; i < count; i++)
        await dropOnce(o.url, DROPS[i % DROPS.length]).catch(() => failed++);
    result('drops', count - failed);
    result('drop_kinds', DROPS.map((d) => d.name).join(','));
    // The hub still serves: a new App syncs and its update reaches the
    // observer. Once the hub counted it and it left, the count is fresh.
    const [late] = await openApps(o.url, 1, 'late');
    late.set('drops/after', 'still here');
    const reached = await cameTrue(() => observer.get('drops/after') === 'still here', 5000);
    result('new_client_works', reached ? 1 : 0);
    const lateCounted = await cameTrue(() => figure(observer, 'clients/other') === baseline + 1, 5000);
    late.close();
    const back = await cameTrue(() => figure(observer, 'clients/other') === baseline, 15000);
    result('baseline_clients', baseline);
    result('clients_after', figure(observer, 'clients/other'));
    result('back_to_baseline_ms', back && lateCounted ? now() - t0 : -1);
    watch();
    result('max_clients_seen', maxSeen);
    const fdsBack = await cameTrue(() => fdCount(pid) <= fdsBefore, 15000);
    result('hub_fds', `${fdsBefore},${fdCount(pid)}`);
    result('fds_back', fdsBack ? 1 : 0);
    observer.close();
}

// --- main -------------------------------------------------------------------

const scenarios = { fanout, stall, garbage, drops };
const [scenario, ...pairs] = process.argv.slice(2);
const options = Object.fromEntries(pairs.map((p) => [p.slice(0, p.indexOf('=')), p.slice(p.indexOf('=') + 1)]));
if (!scenarios[scenario] || !options.url) {
    process.stderr.write('usage: node ws_faults.mjs fanout|stall|garbage|drops url=WS_URL [key=value]...\n');
    process.exit(2);
}
try {
    await scenarios[scenario](options);
    say('done');
    process.exit(0);
} catch (err) {
    say(`error ${err.message}`);
    process.exit(1);
}
