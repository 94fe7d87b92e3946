// SPDX-License-Identifier: MIT
// nanostate-hubws-node (the C hub engine run by Node.js, WebSocket clients
// through the engine's peer API) as a separate process: the JS App over
// WebSocket, the nanostate CLI as a C App over nanomsg, raw `ws` clients for
// the access rules and the limits.

import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { join } from 'node:path';
import test from 'node:test';

import { WebSocket } from 'ws';

import { Nanostate } from '../src/nanostate.js';
import { cli, CLI } from './hub-process.js';
import { HUBWS_NODE, NodeHubwsProcess, nodeHubsMissing, outputMatches, runScript, tempDir } from './node-hubs.js';
import { nextEvent, until } from './util.js';

const skip = nodeHubsMissing();
const appOptions = { reconnectMinMs: 50, reconnectMaxMs: 500 };

// One hub per test; every App, socket and process is ended when the test ends.
async function setup(t, o = {}) {
    const hub = await NodeHubwsProcess.start(o);
    const closers = [];
    t.after(async () => {
        closers.forEach((close) => close());
        await hub.stop();
    });
    const open = async (identity, options = {}) => {
        const app = new Nanostate(hub.wsUrl, { identity, ...appOptions, ...options });
        closers.push(() => app.close());
        await app.ready(5000);
        return app;
    };
    // A raw WebSocket: resolves { ws } once open, or { status } when refused.
    const raw = (url = hub.wsUrl, options = {}) => new Promise((resolve) => {
        const ws = new WebSocket(url, { perMessageDeflate: false, ...options });
        closers.push(() => ws.terminate());
        ws.once('open', () => resolve({ ws }));
        ws.once('unexpected-response', (req, res) => resolve({ status: res.statusCode }));
        ws.once('error', (err) => resolve({ error: err }));
    });
    return { hub, open, raw };
}

async function set(hub, ...args) {
    const r = await cli(hub, ['--json', '-i', 'c-app', 'set', ...args]);
    assert.equal(r.code, 0, r.stderr);
}

function hasOpenssl() {
    try {
        execFileSync('openssl', ['version'], { stdio: 'ignore' });
        return true;
    } catch {
        return false;
    }
}

function closed(ws) {
    return new Promise((resolve) => ws.once('close', (code) => resolve(code)));
}

test('--help, and a wrong flag is a usage error (exit 2)', async () => {
    const help = await runScript(HUBWS_NODE, ['--help']);
    assert.equal(help.code, 0);
    for (const flag of ['--ws-host', '--ws-port', '--allow-origin', '--token', '--max-frame', '--max-queue',
        '--max-clients', '--stall-timeout', '--state-file', '--heartbeat', '--stats'])
        assert.ok(help.stdout.includes(flag), flag);
    for (const [args, message] of [
        [['--bogus'], "unknown option '--bogus'"],
        [['--ws-port', 'http'], '--ws-port takes a port number (0: any free one)'],
        [['--max-queue', '10'], '--max-queue takes a number of bytes from 1024 up'],
        [['--stats=5'], '--stats takes milliseconds from 10 to 3600000, or 0 (off)'],
    ]) {
        const r = await runScript(HUBWS_NODE, args);
        assert.equal(r.code, 2, args.join(' '));
        assert.ok(r.stderr.startsWith(`nanostate-hubws-node: ${message}\nusage: nanostate-hubws-node `), r.stderr);
    }
});

test('a JS App and a C App exchange values; late joiners get the table', { skip }, async (t) => {
    const { hub, open } = await setup(t);
    const js = await open('js-app');
    js.set('from-js/map', { a: [1, 'two'], b: null });
    js.set('from-js/big', (1n << 64n) - 1n);
    await js.flush(5000);
    await set(hub, 'from-c/x', '2.5', 'from-c/s', '"héllo"');
    await until(js, () => js.get('from-c/s') === 'héllo' && js.get('from-c/x') === 2.5, 'the C values in the JS App');
    assert.equal(js.sender('from-c/x'), 'c-app');

    // A late C App: the whole table, the JS App's values included.
    const dump = await cli(hub, ['--json', 'dump', 'from-*']);
    assert.equal(dump.code, 0, dump.stderr);
    const lines = dump.stdout.trim().split('\n').map((line) => JSON.parse(line));
    assert.deepEqual(lines.map((l) => l.name), ['from-c/s', 'from-c/x', 'from-js/big', 'from-js/map']);
    assert.deepEqual(lines[3].value, { a: [1, 'two'], b: null });
    assert.equal(lines[3].sender, 'js-app');
    assert.equal(lines[2].value, '18446744073709551615');

    // A late JS App: the same table, from a snapshot.
    const late = new Nanostate(hub.wsUrl, { identity: 'late', ...appOptions });
    t.after(() => late.close());
    const snapshot = [];
    late.on('update', (name, value, sender, fromSnapshot) => snapshot.push([name, fromSnapshot]));
    await late.ready(5000);
    assert.deepEqual(late.get('from-js/map'), { a: [1, 'two'], b: null });
    assert.equal(late.get('from-c/s'), 'héllo');
    assert.ok(snapshot.filter(([name]) => name.startsWith('from-')).every(([, fromSnapshot]) => fromSnapshot));
});

test('no echo: the sender gets ACKs with the seq, the others the update', { skip }, async (t) => {
    const { hub, open } = await setup(t);
    const a = await open('js-a');
    const b = await open('js-b');
    const echoes = [];
    a.on('update', (name, value, sender, snap, info) => !info.local && echoes.push(name));
    const bSees = nextEvent(b, 'update', (name, value) => name === 'echo/x' && value === 20, 5000);
    for (let i = 1; i <= 20; i++)
        a.set('echo/x', i);
    await a.flush(5000);
    await bSees;
    await set(hub, 'echo/y', '1');
    await until(a, () => a.get('echo/y') === 1, 'echo/y in a');
    assert.deepEqual(echoes, ['echo/y'], 'no echo of its own updates');
    assert.equal(a.stats.gaps, 0, 'every ACK carried the next seq');
    assert.equal(b.stats.gaps, 0);
});

test('origins: the own page and no Origin are let in, others get 403', { skip }, async (t) => {
    const { hub, raw } = await setup(t, { args: ['-v'] });
    const own = await raw(hub.wsUrl, { origin: `http://localhost:${hub.wsPort}` });
    assert.ok(own.ws, 'the hub page origin');
    assert.ok((await raw()).ws, 'no Origin: not a browser');
    assert.equal((await raw(hub.wsUrl, { origin: 'http://evil.example' })).status, 403);
    await outputMatches(hub, /403 \(origin http:\/\/evil\.example not allowed/);

    const listed = await setup(t, { args: ['--allow-origin', 'https://panel.example:8443'] });
    assert.ok((await listed.raw(listed.hub.wsUrl, { origin: 'https://panel.example:8443' })).ws);
    assert.equal((await listed.raw(listed.hub.wsUrl, { origin: `http://127.0.0.1:${listed.hub.wsPort}` })).status, 403);
});

test('--token: 401 without it, in with ?token= or a Bearer header', { skip }, async (t) => {
    const { hub, raw } = await setup(t, { args: ['--token', 's3cret'] });
    assert.equal((await raw()).status, 401);
    assert.equal((await raw(`${hub.wsUrl}?token=wrong`)).status, 401);
    assert.ok((await raw(`${hub.wsUrl}?token=s3cret`)).ws);
    assert.ok((await raw(hub.wsUrl, { headers: { Authorization: 'Bearer s3cret' } })).ws);
    const app = new Nanostate(hub.wsUrl, { identity: 'with-token', token: 's3cret', ...appOptions });
    t.after(() => app.close());
    await app.ready(5000);
});

test('--max-clients: a connection past the cap gets 503', { skip }, async (t) => {
    const { raw } = await setup(t, { args: ['--max-clients', '2'] });
    assert.ok((await raw()).ws);
    assert.ok((await raw()).ws);
    assert.equal((await raw()).status, 503);
});

test('--max-frame closes a client that sends more (1009); text messages get 1003', { skip }, async (t) => {
    const { raw } = await setup(t, { args: ['--max-frame', '4096'] });
    const big = (await raw()).ws;
    const bigClosed = closed(big);
    big.send(Buffer.alloc(5000));
    assert.equal(await bigClosed, 1009);
    const text = (await raw()).ws;
    const textClosed = closed(text);
    text.send('not a frame');
    assert.equal(await textClosed, 1003);
});

test('--cert and --key: wss:// (a self-signed certificate from openssl)', { skip: skip || (!hasOpenssl() && 'no openssl') }, async (t) => {
    const dir = tempDir(t);
    const [cert, key] = [join(dir, 'cert.pem'), join(dir, 'key.pem')];
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert,
        '-days', '1', '-subj', '/CN=localhost'], { stdio: 'ignore' });
    const { hub, raw } = await setup(t, { args: ['--cert', cert, '--key', key] });
    const wss = hub.wsUrl.replace('ws://', 'wss://');
    assert.ok((await raw(wss, { rejectUnauthorized: false })).ws);
    assert.ok((await raw(wss)).error, 'a self-signed certificate is refused by default');
});

test('HTTP: GET / serves the web monitor, GET /ws without an upgrade gets 426', { skip }, async (t) => {
    const { hub } = await setup(t);
    const page = await fetch(hub.httpUrl);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /monitor\.js/);
    const bundle = await fetch(`${hub.httpUrl}nanostate.js`);
    assert.equal(bundle.status, 200);
    assert.match(bundle.headers.get('content-type'), /javascript/);
    await bundle.arrayBuffer();
    assert.equal((await fetch(`${hub.httpUrl}ws`)).status, 426);
    assert.equal((await fetch(`${hub.httpUrl}%2e%2e%2fpackage.json`)).status, 404);
});

test('a client that does not read is paused, then resumed, and catches up', { skip }, async (t) => {
    // Slow heartbeats and a long stall timeout: on a busy machine the App
    // must not give up on its silent socket, nor the hub on the client.
    const { hub } = await setup(t, { args: ['-v', '--max-queue', '65536', '--heartbeat', '5000', '--stall-timeout', '60000'] });
    const sockets = [];
    class Tapped extends WebSocket {
        constructor(...args) {
            super(...args);
            sockets.push(this);
        }
    }
    const slow = new Nanostate(hub.wsUrl, { identity: 'slow', WebSocket: Tapped, ...appOptions });
    t.after(() => slow.close());
    await slow.ready(5000);
    sockets[0]._socket.pause(); // stops reading: the hub's backlog for it grows

    // ~24 MB of updates over 24 names: more than the kernel buffers hold.
    const lines = [];
    for (let i = 0; i < 240; i++)
        lines.push(`flood/${i % 24} ${i}:${'x'.repeat(100000)}`);
    const writer = spawn(CLI, ['-c', hub.nnUrl, 'set', '-l'], { stdio: ['pipe', 'ignore', 'pipe'] });
    t.after(() => writer.exitCode === null && writer.kill('SIGKILL'));
    const written = new Promise((resolve) => writer.once('exit', resolve));
    writer.stdin.end(lines.join('\n') + '\n');
    await outputMatches(hub, /client \d+ \(.*\) paused: \d+ bytes unsent/, 15000);
    assert.equal(await written, 0);

    sockets[0]._socket.resume();
    await outputMatches(hub, /client \d+ \(.*\) resumed/, 15000);
    const last = (n) => `${216 + n}:${'x'.repeat(100000)}`;
    await until(slow, () => [...Array(24).keys()].every((n) => slow.get(`flood/${n}`) === last(n)),
        'the newest value of every flood/ state', 15000);
});

test('SIGTERM: clients get 1001, the state file is saved, exit 0', { skip }, async (t) => {
    const file = join(tempDir(t), 'state.msgpack');
    const { hub, raw, open } = await setup(t, { args: ['--state-file', file] });
    const app = await open('saver');
    app.set('saved/x', [1, 2]);
    await app.flush(5000);
    const { ws } = await raw();
    const wsClosed = closed(ws);
    await hub.kill('SIGTERM');
    assert.equal(await wsClosed, 1001);
    assert.deepEqual(await hub.exited, { code: 0, signal: null });

    await hub.start();
    const r = await cli(hub, ['--json', 'get', 'saved/x']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout).value, [1, 2]);
});
