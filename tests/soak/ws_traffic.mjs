// SPDX-License-Identifier: MIT
// WebSocket side of the soak (tests/soak/soak.py drives it):
//   node ws_traffic.mjs WS_URL JSNANOSTATE_DIR SEED
// Keeps one App connected the whole time and, until told to stop, every
// second: a short-lived App joins, sets soak/ws/<k % 8> (now and then removes
// it instead), flushes and leaves (skipped while the last one on that name
// still runs); a raw client sends garbage (random bytes, a text message, a
// message over --max-frame) and drops, half of the time without a close
// handshake; every other second a connection sends half an HTTP request head
// and vanishes; every fifth, GET / of the web page.
//
// Lines on stdin steer it, one JSON line on stdout answers each:
//   (at start)     {"ready": true}            the long-lived App is synced
//   stop           {"counts": {...}, "model": {name: value}, "uncertain": [name...],
//                  "errors": [...]}: what it did, the soak/ws/* states it knows
//                  the hub has, and those it cannot know (their App failed)
//   report MARKER  {"table": {name: value}}   the long-lived App's replica
//                  (names not starting with '$') once it has seen
//                  soak/marker == MARKER, or {"timeout": true} after 20 s
//   quit           closes everything and exits 0
import net from 'node:net';
import readline from 'node:readline';
import { pathToFileURL } from 'node:url';

const [, , wsUrl, jsDir, seedText] = process.argv;
const { Nanostate } = await import(pathToFileURL(`${jsDir}/src/nanostate.js`).href);
const { WebSocket } = await import(pathToFileURL(`${jsDir}/node_modules/ws/wrapper.mjs`).href);

// A small seeded generator (mulberry32), so that a run can be repeated.
let seed = Number(seedText) >>> 0;
function random() {
    seed = (seed + 0x6d2b79f5) >>> 0;
    let t = seed;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
function randomBytes(n) {
    const bytes = new Uint8Array(n);
    for (let i = 0; i < n; i++)
        bytes[i] = Math.floor(random() * 256);
    return bytes;
}

const counts = {
    apps_joined: 0, apps_failed: 0, apps_skipped: 0, sets: 0, removes: 0,
    raw_clients: 0, raw_messages: 0, raw_dropped: 0, raw_closed: 0, raw_errors: 0,
    half_heads: 0, http_gets: 0, http_failed: 0,
};
const errors = [];
const model = {};
const uncertain = new Set(); // names whose last App failed: the hub may have either value
const busy = new Set(); // names an App is updating: one at a time, so that the model holds
const pending = new Set(); // promises of actions still running

function note(error) {
    if (errors.length < 20)
        errors.push(String(error?.message ?? error));
}

function track(promise) {
    pending.add(promise);
    promise.finally(() => pending.delete(promise));
}

const watcher = new Nanostate(wsUrl, { identity: 'soak-ws-watch' });
await watcher.ready(20000);
console.log(JSON.stringify({ ready: true }));

let round = 0;

async function churnApp(k) {
    const name = `soak/ws/${k % 8}`;
    if (busy.has(name)) {
        counts.apps_skipped++;
        return;
    }
    busy.add(name);
    const app = new Nanostate(wsUrl, { identity: `soak-ws-${k}` });
    try {
        await app.ready(10000);
        counts.apps_joined++;
        if (k % 5 === 4 && name in model) {
            app.remove(name);
            await app.flush(10000);
            delete model[name];
            uncertain.delete(name);
            counts.removes++;
        } else {
            const value = `ws ${k} ${Date.now()}`;
            app.set(name, value);
            await app.flush(10000);
            model[name] = value;
            uncertain.delete(name);
            counts.sets++;
        }
    } catch (error) {
        counts.apps_failed++;
        uncertain.add(name);
        note(`App ${k}: ${error.message}`);
    } finally {
        app.close();
        busy.delete(name);
    }
}

function rawClient(k) {
    return new Promise((resolve) => {
        const ws = new WebSocket(wsUrl);
        counts.raw_clients++;
        const timer = setTimeout(() => ws.terminate(), 5000);
        ws.on('open', () => {
            const messages = [randomBytes(1 + Math.floor(random() * 512)), 'text is not a frame'];
            if (k % 3 === 0)
                messages.push(randomBytes(70000)); // over the soak's --max-frame: closed with 1009
            for (const m of messages) {
                ws.send(m);
                counts.raw_messages++;
            }
            if (k % 2 === 0) {
                ws.terminate(); // no close handshake
                counts.raw_dropped++;
            } else {
                ws.close(1000);
                counts.raw_closed++;
            }
        });
        ws.on('error', () => counts.raw_errors++); // the hub may close first: expected
        ws.on('close', () => {
            clearTimeout(timer);
            resolve();
        });
    });
}

function halfHead() {
    return new Promise((resolve) => {
        const url = new URL(wsUrl);
        const socket = net.connect(Number(url.port), url.hostname, () => {
            socket.write('GET /ws HTTP/1.1\r\nHost: soak\r\nUpgrade: websocket\r\n');
            counts.half_heads++;
            setTimeout(() => socket.destroy(), 100);
        });
        socket.on('error', () => {});
        socket.on('close', resolve);
    });
}

async function httpGet() {
    const url = new URL(wsUrl);
    try {
        const response = await fetch(`http://${url.host}/`, { signal: AbortSignal.timeout(5000) });
        await response.arrayBuffer();
        counts.http_gets++;
    } catch (error) {
        counts.http_failed++;
        note(`GET /: ${error.message}`);
    }
}

function tick() {
    const k = round++;
    track(churnApp(k));
    track(rawClient(k));
    if (k % 2 === 0)
        track(halfHead());
    if (k % 5 === 0)
        track(httpGet());
}

const timer = setInterval(tick, 1000);
tick();

function show(v) {
    if (v instanceof Uint8Array)
        return { base64: Buffer.from(v).toString('base64') };
    if (typeof v === 'bigint')
        return v.toString();
    if (Array.isArray(v))
        return v.map(show);
    if (v && typeof v === 'object')
        return Object.fromEntries(Object.entries(v).map(([key, x]) => [key, show(x)]));
    return v;
}

async function report(marker) {
    const deadline = Date.now() + 20000;
    while (watcher.get('soak/marker') !== marker) {
        if (Date.now() > deadline)
            return { timeout: true };
        await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const table = {};
    for (const [name, value] of watcher.states)
        if (!name.startsWith('$'))
            table[name] = show(value);
    return { table };
}

const input = readline.createInterface({ input: process.stdin });
for await (const line of input) {
    const [command, arg] = line.trim().split(/\s+/, 2);
    if (command === 'stop') {
        clearInterval(timer);
        while (pending.size > 0)
            await Promise.allSettled([...pending]);
        console.log(JSON.stringify({ counts, model, uncertain: [...uncertain], errors }));
    } else if (command === 'report') {
        console.log(JSON.stringify(await report(arg)));
    } else if (command === 'quit') {
        break;
    }
}
clearInterval(timer);
watcher.close();
process.exit(0);
