// SPDX-License-Identifier: MIT
// Light clients for the WebSocket fan-out bench: the `ws` package and each
// system's own frame codec, nothing else, so that a thousand of them on two
// cores still leave the server as the limit. Same interface as
// lib-clients.mjs (see there).
//
// nanostate-hubws: frames from jsnanostate's frame.js. The publisher sends
// legacy frames [sender, name, bin] (the hub forwards them to every other
// peer and sends nothing back: fire and forget, as MQTT QoS 0). A subscriber
// learns the epoch with a SYNC, counts SET frames, and when a heartbeat
// shows it missed changes (the hub pauses a peer that does not read fast
// enough: PROTOCOL.md 7.9) it asks with SYNC and takes what the SNAPSHOT
// says is newer, as an App does.
// mosquitto-ws: MQTT 3.1.1 packets from mqtt-packet (MQTT.js's codec), QoS
// 0, topic = name, subscribed to bench/#.
//
// A publisher waits whenever more than SEND_BUFFER bytes are queued on its
// socket.

import mqttPacket from 'mqtt-packet';
import WebSocket from 'ws';

import {
    buildBatch, buildFrame, buildHello, buildSync, FEATURE_BATCH, OP_BATCH, OP_HEARTBEAT, OP_LEGACY, OP_SET, OP_SNAPSHOT, parseFrame, SNAP_FULL, SNAP_MORE,
} from '../../jsnanostate/src/frame.js';
import { encodeValue } from '../../jsnanostate/src/value.js';

const SEND_BUFFER = 256 * 1024;
const OPEN_TIMEOUT_MS = 20000;

function connect(url, protocol) {
    const ws = new WebSocket(url, protocol ? [protocol] : [], {
        perMessageDeflate: false,
        maxPayload: 64 * 1024 * 1024,
        handshakeTimeout: OPEN_TIMEOUT_MS,
    });
    ws.on('error', () => {}); // shows as a close, and in the counts
    return ws;
}

// Pacing shared by both publishers: send, and wait while the socket's
// queue is over SEND_BUFFER.
function pacedSender(ws) {
    let written = Promise.resolve();
    return {
        send(bytes) {
            written = new Promise((resolve) => ws.send(bytes, { binary: true }, resolve));
        },
        drain() {
            return ws.bufferedAmount > SEND_BUFFER ? written : Promise.resolve();
        },
        async flush(ms) {
            await Promise.race([written, new Promise((resolve) => setTimeout(resolve, ms))]);
        },
    };
}

function withTimeout(promise, what) {
    let timer;
    return Promise.race([
        promise,
        new Promise((resolve, reject) => {
            timer = setTimeout(() => reject(new Error(`${what}: no answer in ${OPEN_TIMEOUT_MS} ms`)), OPEN_TIMEOUT_MS);
        }),
    ]).finally(() => clearTimeout(timer));
}

function opened(ws, identity) {
    return withTimeout(new Promise((resolve, reject) => {
        ws.once('open', resolve);
        ws.once('close', () => reject(new Error(`${identity}: closed before the handshake ended`)));
    }), identity);
}

// --- nanostate-hubws -----------------------------------------------------

// The payload of a packed msgpack bin (bin 8, 16 or 32), or null.
function binPayload(packed) {
    const h = packed[0];
    const at = h === 0xc4 ? 2 : h === 0xc5 ? 3 : h === 0xc6 ? 5 : 0;
    return at ? packed.subarray(at) : null;
}

function random64() {
    const w = new Uint32Array(2);
    crypto.getRandomValues(w);
    return ((BigInt(w[0]) << 32n) | BigInt(w[1])) || 1n;
}

async function nanostateSubscriber(ws, identity, onMessage) {
    const session = random64();
    const seqOf = new Map(); // name -> seq of the value held
    let epoch = 0n;
    let lastSeq = 0;
    let syncing = false;
    let full = false;
    let syncDone;
    const synced = new Promise((resolve) => { syncDone = resolve; });

    let lastSync = null; // [since, continuesFull, when sent]
    const sync = (since, continuesFull) => {
        syncing = true;
        lastSync = [since, continuesFull, performance.now()];
        ws.send(buildSync(identity, session, epoch, since, continuesFull, FEATURE_BATCH));
    };
    const take = (name, seq, packed) => {
        if ((seqOf.get(name) ?? 0) >= seq)
            return;
        seqOf.set(name, seq);
        const v = binPayload(packed);
        if (v)
            onMessage(name, v);
    };
    const onFrame = (data) => {
        let f;
        try {
            f = parseFrame(data);
        } catch {
            return;
        }
        if (f.op === OP_BATCH) {
            for (const one of f.frames)
                onFrame(one);
        } else if (f.op === OP_SET) {
            take(f.name, f.seq, f.value);
            if (!syncing && f.seq > lastSeq + 1 && lastSeq)
                sync(lastSeq, false); // a gap: the hub paused us
            if (f.seq > lastSeq)
                lastSeq = f.seq;
        } else if (f.op === OP_HEARTBEAT) {
            if (!syncing && (f.epoch !== epoch || f.seq > lastSeq))
                sync(f.epoch === epoch ? lastSeq : 0, false);
            else if (syncing && performance.now() - lastSync[2] > f.periodMs)
                sync(lastSync[0], lastSync[1]); // the hub drops what a peer far behind sends
        } else if (f.op === OP_SNAPSHOT && f.session === session) {
            if (f.snapFlags & SNAP_FULL)
                full = true;
            epoch = f.epoch;
            for (const e of f.entries)
                if (!e.removed)
                    take(e.name, e.seq, e.value);
            if (f.snapFlags & SNAP_MORE) {
                sync(f.upto, full);
            } else {
                lastSeq = Math.max(lastSeq, f.seq);
                syncing = full = false;
                syncDone();
            }
        }
    };
    ws.on('message', onFrame);
    await opened(ws, identity);
    sync(0, false);
    await withTimeout(synced, identity);
}

async function openNanostate(url, identity, onMessage) {
    const ws = connect(url);
    if (onMessage) {
        await nanostateSubscriber(ws, identity, onMessage);
        return { close: () => ws.terminate() };
    }
    await opened(ws, identity);
    ws.send(buildHello(identity, 1n, FEATURE_BATCH)); // it reads BATCH too (ignores all)
    const paced = pacedSender(ws);
    let frames = [];
    let size = 0;
    const out = () => {
        if (frames.length)
            paced.send(buildBatch(identity, frames, size));
        frames = [];
        size = 0;
    };
    return {
        send: (name, bytes) => {
            const f = buildFrame(identity, name, encodeValue(bytes), OP_LEGACY);
            if (size + f.length > 60000)
                out();
            frames.push(f);
            size += f.length;
        },
        drain: () => { out(); return paced.drain(); },
        flush: (ms) => { out(); return paced.flush(ms); },
        close: () => ws.close(),
    };
}

// --- mosquitto-ws --------------------------------------------------------

async function openMosquitto(url, identity, onMessage) {
    const ws = connect(url, 'mqtt');
    const parser = mqttPacket.parser({ protocolVersion: 4 });
    let connack, suback;
    const connacked = new Promise((resolve) => { connack = resolve; });
    const subacked = new Promise((resolve) => { suback = resolve; });
    parser.on('packet', (p) => {
        if (p.cmd === 'publish')
            onMessage?.(p.topic, p.payload);
        else if (p.cmd === 'connack')
            connack(p.returnCode);
        else if (p.cmd === 'suback')
            suback();
    });
    ws.on('message', (data) => parser.parse(data));
    await opened(ws, identity);
    ws.send(mqttPacket.generate({
        cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clean: true, clientId: identity, keepalive: 60,
    }));
    const rc = await withTimeout(connacked, identity);
    if (rc !== 0)
        throw new Error(`mosquitto-ws: ${identity} refused (CONNACK ${rc})`);
    if (onMessage) {
        ws.send(mqttPacket.generate({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'bench/#', qos: 0 }] }));
        await withTimeout(subacked, identity);
        return { close: () => ws.terminate() };
    }
    const paced = pacedSender(ws);
    return {
        send: (name, bytes) => paced.send(mqttPacket.generate({
            cmd: 'publish', topic: name, payload: Buffer.from(bytes), qos: 0, retain: false, dup: false,
        })),
        drain: paced.drain,
        flush: paced.flush,
        close: () => {
            ws.send(mqttPacket.generate({ cmd: 'disconnect' }));
            ws.close();
        },
    };
}

export const open = {
    'nanostate-hubws': openNanostate,
    'mosquitto-ws': openMosquitto,
};
