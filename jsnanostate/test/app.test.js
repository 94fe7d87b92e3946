// SPDX-License-Identifier: MIT
// The App's rules (PROTOCOL.md 7.8, 7.9) against a scripted hub that checks
// the frames the App sends and answers as the test says.

import assert from 'node:assert/strict';
import test from 'node:test';

import {
    buildBatch, buildFrame, FEATURE_BATCH, OP_DEL, OP_HEARTBEAT, OP_PING, OP_SET, OP_SYNC, SNAP_FULL,
    SNAP_MORE,
} from '../src/frame.js';
import { Nanostate, NanostateError } from '../src/nanostate.js';
import { encodeValue } from '../src/value.js';
import { ScriptedHub } from './scripted-hub.js';
import { nextEvent, until } from './util.js';

const isSync = (f) => f.op === OP_SYNC;
// A SYNC since `since` (the first SYNC is repeated until answered, so an
// older one may still come in after the answer).
const syncSince = (since) => (f) => f.op === OP_SYNC && f.since === since;
const isSet = (name) => (f) => f.op === OP_SET && f.name === name;

// An App connected to a scripted hub that holds `entries`, synced.
async function syncedApp(t, entries = [], options = {}) {
    const hub = await ScriptedHub.start();
    const app = new Nanostate(hub.url, { identity: 'tester', reconnectMinMs: 20, reconnectMaxMs: 100, ...options });
    t.after(async () => {
        app.close();
        await hub.stop();
    });
    const sync = await hub.next(isSync);
    hub.seq = entries.reduce((m, e) => Math.max(m, e[1]), 0);
    hub.snapshot(sync, entries);
    hub.heartbeat();
    await app.ready(3000);
    return { hub, app, sync };
}

test('first SYNC, snapshot, heartbeat: the App is connected and synced', async (t) => {
    const hub = await ScriptedHub.start();
    const app = new Nanostate(hub.url, { identity: 'tester', token: 's3cret' });
    t.after(async () => {
        app.close();
        await hub.stop();
    });
    const sync = await hub.next(isSync);
    assert.equal(sync.sender, 'tester');
    assert.equal(sync.session, app.session);
    assert.equal(sync.epoch, 0n);
    assert.equal(sync.since, 0);
    assert.match(hub.lastRequest.url, /[?&]token=s3cret/);
    assert.equal(app.synced, false);

    const updates = [];
    app.on('update', (...args) => updates.push(args));
    const connected = nextEvent(app, 'connect');
    const synced = nextEvent(app, 'synced');
    hub.seq = 41;
    hub.snapshot(sync, [['robot/mode', 17, 'panel', 0xdeadbeefn, 'auto'], ['robot/limit', 41, 'panel', 0xdeadbeefn, 1.5]]);
    hub.heartbeat();
    await connected;
    await synced;
    assert.equal(app.connected, true);
    assert.equal(app.synced, true);
    assert.equal(app.get('robot/mode'), 'auto');
    assert.equal(app.get('robot/limit'), 1.5);
    assert.equal(app.sender('robot/mode'), 'panel');
    assert.equal(app.states.size, 2);
    assert.deepEqual(Object.fromEntries(app.states), { 'robot/mode': 'auto', 'robot/limit': 1.5 });
    assert.deepEqual(updates.map((u) => [u[0], u[1], u[2], u[3]]),
        [['robot/mode', 'auto', 'panel', true], ['robot/limit', 1.5, 'panel', true]]);
});

test('a set waits for the connection, is conflated, then goes with REBASE', async (t) => {
    const hub = await ScriptedHub.start();
    const app = new Nanostate(hub.url, { identity: 'tester' });
    t.after(async () => {
        app.close();
        await hub.stop();
    });
    const local = [];
    app.on('update', (name, value, sender, snap, info) => local.push([name, value, sender, info.local]));
    app.set('x', 1);
    app.set('x', 2);
    app.set('x', 3);
    assert.equal(app.get('x'), 3);
    assert.equal(app.pending, 1);
    assert.deepEqual(local, [['x', 1, 'tester', true], ['x', 2, 'tester', true], ['x', 3, 'tester', true]]);
    const sync = await hub.next(isSync);
    hub.snapshot(sync, []);
    hub.heartbeat();
    const set = await hub.next((f) => f.op === OP_SET);
    assert.equal(set.name, 'x');
    assert.equal(set.rebase, true);
    assert.equal(set.aseq, 1);
    assert.equal(set.count, 6);
    assert.equal(Buffer.from(set.value).toString('hex'), '03');
    // WebSocket: no echo, an ACK that carries the change's seq.
    hub.ack(app.session, 1, 1, 1);
    await app.flush(2000);
    assert.equal(app.pending, 0);
    assert.equal(app.get('x'), 3);
    assert.equal(local.length, 3, 'the accepted value is no new update');
    // seq 1 is the App's last_seq now: a heartbeat at seq 1 is no gap.
    hub.seq = 1;
    hub.heartbeat();
    app.set('y', true);
    const next = await hub.next((f) => f.op === OP_SET || (f.op === OP_SYNC && f.epoch === hub.epoch));
    assert.equal(next.op, OP_SET, 'no SYNC: the ACK numbered the change');
    assert.equal(next.name, 'y');
    assert.equal(next.rebase, false);
    assert.equal(next.aseq, 2);
    assert.equal(app.stats.gaps, 0);
});

test('a live update after a gap is applied and the App resyncs since its last seq', async (t) => {
    const { hub, app } = await syncedApp(t, [['a', 5, 'other', 7n, 'old']]);
    const seen = nextEvent(app, 'update', (name) => name === 'a');
    hub.update(OP_SET, 'other', 'a', 'new', 7n, 3, 7); // 6 is missing
    const [, value, sender, fromSnapshot] = await seen;
    assert.equal(value, 'new');
    assert.equal(sender, 'other');
    assert.equal(fromSnapshot, false);
    const sync = await hub.next(syncSince(5));
    assert.equal(sync.since, 5);
    assert.equal(sync.epoch, hub.epoch);
    assert.equal(app.synced, false);
    // The missed change 6 removed "b"; the answer is incremental.
    const removed = nextEvent(app, 'remove');
    hub.seq = 7;
    hub.snapshot(sync, [['b', 6], ['a', 7, 'other', 7n, 'new']], { flags: 0, since: 5 });
    await app.ready(2000);
    assert.equal(app.get('a'), 'new');
    assert.equal(app.stats.gaps, 1);
    // "b" was never here: no remove event for it; a later removal is.
    hub.update(OP_DEL, 'other', 'a', undefined, 7n, 4, 8);
    const [name, by] = await removed;
    assert.deepEqual([name, by], ['a', 'other']);
    assert.equal(app.has('a'), false);
});

test('a heartbeat ahead of the App means a lost tail: SYNC since last seq', async (t) => {
    const { hub } = await syncedApp(t, [['a', 3, 'other', 7n, 1]]);
    hub.seq = 4;
    hub.heartbeat();
    const sync = await hub.next(syncSince(3));
    assert.equal(sync.epoch, hub.epoch);
});

test('a chunked snapshot: the App asks again from upto', async (t) => {
    const hub = await ScriptedHub.start();
    const app = new Nanostate(hub.url, { identity: 'tester' });
    t.after(async () => {
        app.close();
        await hub.stop();
    });
    const sync = await hub.next(isSync);
    hub.seq = 10;
    hub.snapshot(sync, [['a', 2, 'o', 1n, 'A']], { flags: SNAP_FULL | SNAP_MORE, upto: 2 });
    const again = await hub.next(syncSince(2));
    assert.equal(app.synced, false);
    hub.snapshot(again, [['b', 10, 'o', 1n, 'B']], { flags: 0, since: 2 });
    await app.ready(2000);
    assert.deepEqual(Object.fromEntries(app.states), { a: 'A', b: 'B' });
});

test('a full resync drops the states the hub no longer has', async (t) => {
    const { hub, app } = await syncedApp(t, [['gone', 1, 'o', 1n, 1], ['kept', 2, 'o', 1n, 2]]);
    hub.seq = 9;
    hub.epoch += 1n; // a restarted hub
    const removed = nextEvent(app, 'remove', (name) => name === 'gone');
    hub.heartbeat();
    // The App takes the epoch of the heartbeat and asks for everything.
    const sync = await hub.next((f) => f.op === OP_SYNC && f.epoch === hub.epoch);
    assert.equal(sync.since, 0);
    hub.snapshot(sync, [['kept', 9, 'o', 1n, 2]]);
    await removed;
    await app.ready(2000);
    assert.deepEqual([...app.states.keys()], ['kept']);
    assert.equal(app.stats.hubRestarts, 1);
});

test('a loss reported by an ACK: the newest value again, with REBASE', async (t) => {
    const { hub, app } = await syncedApp(t);
    app.set('s', 1);
    assert.equal((await hub.next(isSet('s'))).aseq, 1);
    hub.ack(app.session, 1, 1, 1);
    await app.flush(2000);
    app.set('s', 2);
    app.set('t', 'x');
    const s2 = await hub.next(isSet('s'));
    const t3 = await hub.next(isSet('t'));
    assert.deepEqual([s2.aseq, t3.aseq, s2.rebase, t3.rebase], [2, 3, false, false]);
    // aseq 2 was lost on the way; 3 refused.
    hub.ack(app.session, 1, 3);
    const again = [await hub.next((f) => f.op === OP_SET), await hub.next((f) => f.op === OP_SET)];
    assert.deepEqual(again.map((f) => [f.name, f.aseq, f.rebase]), [['s', 4, true], ['t', 5, false]]);
    hub.ack(app.session, 4, 4, 2);
    hub.ack(app.session, 5, 5, 3);
    await app.flush(2000);
    assert.equal(app.stats.resends, 2);
});

test('updates left unaccepted bring PINGs; an ACK settles them', async (t) => {
    const { hub, app } = await syncedApp(t);
    app.set('p', 1);
    await hub.next(isSet('p'));
    const ping = await hub.next((f) => f.op === OP_PING, 2000);
    assert.equal(ping.aseq, 2);
    assert.equal(ping.session, app.session);
    // The hub had the SET: its echo went to the others; PING's ACK says so.
    hub.update(OP_SET, 'other', 'q', 'x', 9n, 1, 1);
    hub.ack(app.session, 2, 2);
    await app.flush(2000);
    assert.equal(app.pending, 0);
});

test('the send window holds back updates until earlier ones are accepted', async (t) => {
    const { hub, app } = await syncedApp(t, [], { sendWindow: 100 });
    const big = 'x'.repeat(80);
    app.set('w1', big);
    app.set('w2', big);
    const w1 = await hub.next(isSet('w1'));
    assert.equal(w1.aseq, 1);
    assert.equal(app.pending, 2);
    hub.ack(app.session, 1, 1, 1);
    const w2 = await hub.next(isSet('w2'));
    assert.equal(w2.aseq, 2);
});

test('a reconnect to a restarted hub re-publishes the own states', async (t) => {
    const { hub, app } = await syncedApp(t, [['theirs', 1, 'other', 5n, 'x']]);
    app.set('mine', { a: 1 });
    app.remove('theirs');
    const first = await hub.next(isSet('mine'));
    const del = await hub.next((f) => f.op === OP_DEL);
    hub.ack(app.session, first.aseq, first.aseq, 2);
    hub.ack(app.session, del.aseq, del.aseq, 3);
    await app.flush(2000);
    assert.equal(app.has('theirs'), false);

    const disconnected = nextEvent(app, 'disconnect');
    hub.dropClient();
    await disconnected;
    assert.equal(app.connected, false);
    // The App keeps its states while away, and sets more.
    assert.deepEqual(app.get('mine'), { a: 1 });
    app.set('later', 7);
    // A new hub run: it lost everything.
    hub.epoch = 0x1234n;
    hub.seq = 0;
    const sync = await hub.next(syncSince(3), 5000);
    assert.equal(sync.epoch, 0x5a17c0de00000001n);
    hub.snapshot(sync, []);
    hub.heartbeat();
    const sets = [await hub.next((f) => f.op === OP_SET), await hub.next((f) => f.op === OP_SET)];
    const byName = Object.fromEntries(sets.map((f) => [f.name, f]));
    assert.ok(byName.mine && byName.later, 'both own states are sent');
    assert.equal(sets[0].rebase, true);
    assert.equal(sets[1].rebase, false);
    assert.deepEqual(app.get('mine'), { a: 1 }, 'the own state survived the full resync');
    hub.ack(app.session, sets[0].aseq, sets[0].aseq, 1);
    hub.ack(app.session, sets[1].aseq, sets[1].aseq, 2);
    await app.flush(2000);
    assert.equal(app.stats.hubRestarts, 1);
});

test('bad names, values and sizes are refused at once', async (t) => {
    const { app } = await syncedApp(t);
    const code = (code) => (err) => err instanceof NanostateError && err.code === code;
    assert.throws(() => app.set('', 1), code('ENAME'));
    assert.throws(() => app.set('$hub/x', 1), code('ENAME'));
    assert.throws(() => app.set('x'.repeat(1025), 1), code('ENAME'));
    assert.throws(() => app.set('\ud800', 1), code('ENAME'));
    assert.throws(() => app.set('f', () => 1), code('EVALUE'));
    assert.throws(() => app.set('u', undefined), code('EVALUE'));
    let deep = 1;
    for (let i = 0; i < 65; i++)
        deep = [deep];
    assert.throws(() => app.set('deep', deep), code('EVALUE'));
    assert.throws(() => app.set('big', new Uint8Array(17 * 1024 * 1024)), code('ETOOBIG'));
    app.set('x'.repeat(1024), 1);
    assert.equal(app.pending, 1);
});

test('flush times out while the hub does not accept; close rejects waiters', async (t) => {
    const { app } = await syncedApp(t);
    app.set('never', 1);
    await assert.rejects(app.flush(50), (err) => err.code === 'ETIMEDOUT');
    const waiting = app.flush();
    app.close();
    await assert.rejects(waiting, (err) => err.code === 'ECLOSED');
    assert.throws(() => app.set('x', 1), (err) => err.code === 'ECLOSED');
});

test('a value superseded in flight still counts in the window until the hub has it', async (t) => {
    const { hub, app } = await syncedApp(t, [], { sendWindow: 40 });
    app.set('hot', 'a'.repeat(30));
    const first = await hub.next(isSet('hot'));
    app.set('hot', 'b'.repeat(30)); // waits: the first frame fills the window
    app.set('cold', 1);
    // The connection drops before the ACK: nothing in flight will be acked.
    const down = nextEvent(app, 'disconnect');
    hub.dropClient();
    await down;
    hub.frames.length = 0; // what came over the old connection
    await hub.connected(5000);
    const resync = await hub.next(isSync, 5000);
    hub.snapshot(resync, []);
    hub.heartbeat();
    const again = await hub.next(isSet('hot'), 5000);
    assert.equal(again.rebase, true, 'the first frame after the reconnect');
    assert.equal(again.aseq, first.aseq + 1);
    assert.equal(Buffer.from(again.value).toString('hex').slice(2), Buffer.from('b'.repeat(30)).toString('hex'));
    hub.ack(app.session, again.aseq, again.aseq, 1);
    const cold = await hub.next(isSet('cold'), 5000);
    hub.ack(app.session, cold.aseq, cold.aseq, 2);
    await app.flush(2000);
});

// --- BATCH frames (PROTOCOL.md 7.10) ---------------------------------------

test('the App declares that it reads BATCH frames in its SYNC', async (t) => {
    const { sync } = await syncedApp(t);
    assert.equal(sync.count, 8);
    assert.equal(sync.features, FEATURE_BATCH);
});

test('beyond 4 messages in flight, updates gather in one BATCH sent on an ACK; a PING follows it', async (t) => {
    const { hub, app } = await syncedApp(t);
    const framesBefore = app.stats.framesOut;
    for (let i = 0; i < 10; i++)
        app.set(`b/${i}`, i);
    // Four go at once, alone; the other six wait, numbered, in the open batch.
    const isSet = (f) => f.op === OP_SET;
    for (let aseq = 1; aseq <= 4; aseq++) {
        const f = await hub.next(isSet);
        assert.equal(f.op, OP_SET);
        assert.equal(f.aseq, aseq);
        assert.equal(f.inBatch, undefined);
    }
    assert.equal(hub.batches, 0);
    hub.ack(app.session, 1, 1, 1);
    for (let aseq = 5; aseq <= 10; aseq++) {
        const f = await hub.next(isSet);
        assert.equal(f.op, OP_SET);
        assert.equal(f.name, `b/${aseq - 1}`);
        assert.equal(f.aseq, aseq);
        assert.equal(f.inBatch, true);
    }
    assert.equal(hub.batches, 1);
    // Nothing accepted beyond aseq 1: the PING comes, after the batch's aseqs.
    const ping = await hub.next((f) => f.op === OP_PING, 3000);
    assert.equal(ping.aseq, 11);
    assert.equal(app.stats.framesOut - framesBefore, 11); // frames, not messages
});

test('with batch: false every update goes alone', async (t) => {
    const { hub, app } = await syncedApp(t, [], { batch: false });
    for (let i = 0; i < 10; i++)
        app.set(`b/${i}`, i);
    for (let aseq = 1; aseq <= 10; aseq++)
        assert.equal((await hub.next((f) => f.op === OP_SET)).aseq, aseq);
    assert.equal(hub.batches, 0);
});

test('a BATCH from the hub: each frame as if it came alone, in order', async (t) => {
    const { hub, app } = await syncedApp(t);
    const seen = [];
    app.on('update', (name, value) => seen.push([name, value]));
    const frames = [1, 2, 3].map((seq) => buildFrame('other', `n/${seq}`, encodeValue(seq * 10), OP_SET, [7n, seq, seq]));
    frames.push(buildFrame('$hub', '', null, OP_HEARTBEAT, [hub.epoch, 3, 1000, 16 * 1024 * 1024]));
    hub.send(buildBatch('$hub', frames, frames.reduce((n, f) => n + f.length, 0)));
    await until(app, () => seen.length === 3, 'three updates');
    assert.deepEqual(seen, [['n/1', 10], ['n/2', 20], ['n/3', 30]]);
    assert.equal(app.stats.gaps, 0, 'the heartbeat inside came after the updates');
    assert.equal(app.stats.framesIn, 4 + 2); // and the snapshot and heartbeat of the start
});
