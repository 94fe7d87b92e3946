// SPDX-License-Identifier: MIT
// The client libraries a user of each system runs, for the WebSocket
// fan-out bench (--clients lib). raw-clients.mjs has light clients with the
// same interface (as bench/common/transport.h gives the C tools one):
//
//   const conn = await open[system](url, identity, onMessage);
//   conn.send(name, bytes);   // one update: name and a value (bytes)
//   await conn.drain();       // wait until the connection takes more
//   await conn.flush(ms);     // everything sent has left (and was accepted)
//   conn.close();
//
// onMessage(name, bytes) is called for every update received (null: a
// publisher that does not subscribe).
//
// nanostate-hubws: the jsnanostate App (what a JavaScript user runs), values
// as msgpack bin. Its window of unaccepted updates (512 KiB) paces the
// publisher; beyond it sets conflate, as for any App.
// mosquitto-ws: MQTT.js over WebSocket, MQTT 3.1.1, QoS 0, topic = name,
// payload = value, subscribed to bench/#. The publisher waits for the
// socket (stream back-pressure) instead of queueing without bound.

import mqtt from 'mqtt';
import WebSocket from 'ws';

import { Nanostate } from '../../jsnanostate/src/nanostate.js';

const OPEN_TIMEOUT_MS = 20000;

function tick() {
    return new Promise((resolve) => setImmediate(resolve));
}

async function openNanostate(url, identity, onMessage) {
    const app = new Nanostate(url, { identity, WebSocket, reconnect: false });
    app.on('error', () => {}); // a closed socket shows in the counts
    if (onMessage) {
        app.on('update', (name, value, sender, snapshot, info) => {
            if (!info.local && value instanceof Uint8Array)
                onMessage(name, value);
        });
    }
    await app.ready(OPEN_TIMEOUT_MS);
    return {
        send: (name, bytes) => app.set(name, bytes),
        drain: tick, // lets the hub's ACKs in, which open the window
        flush: (ms) => app.flush(ms).catch(() => {}),
        close: () => app.close(),
    };
}

// One WebSocket message per MQTT packet. MQTT.js writes a PUBLISH in
// several pieces (header, topic, payload) under cork(); the ws stream it
// uses in Node has no _writev, so each piece would become a WebSocket
// message of its own. Its browser stream joins them the same way.
function coalesceWrites(stream) {
    if (!stream || stream._writev)
        return;
    stream._writev = function writev(chunks, callback) {
        const bufs = chunks.map(({ chunk, encoding }) => (Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk, encoding)));
        this._write(Buffer.concat(bufs), 'buffer', callback);
    };
}

async function openMosquitto(url, identity, onMessage) {
    const client = mqtt.connect(url, {
        clientId: identity,
        protocolVersion: 4,
        clean: true,
        keepalive: 60,
        reconnectPeriod: 0,
        connectTimeout: OPEN_TIMEOUT_MS,
    });
    coalesceWrites(client.stream);
    await new Promise((resolve, reject) => {
        client.once('connect', resolve);
        client.once('error', reject);
        client.once('close', () => reject(new Error(`mosquitto-ws: ${identity} closed before CONNACK`)));
    });
    client.on('error', () => {});
    if (onMessage) {
        client.on('message', (topic, payload) => onMessage(topic, payload));
        await client.subscribeAsync('bench/#', { qos: 0 });
    }
    let written = Promise.resolve();
    return {
        send: (name, bytes) => {
            // QoS 0: the callback runs once the stream took the packet
            // (at once, or on 'drain' when its buffer is full).
            written = new Promise((resolve) => client.publish(name, Buffer.from(bytes), { qos: 0 }, resolve));
        },
        drain: () => written,
        flush: async (ms) => {
            const until = performance.now() + ms;
            await written;
            while (performance.now() < until && client.stream.writableLength > 0)
                await new Promise((resolve) => setTimeout(resolve, 5));
        },
        close: () => client.end(true),
    };
}

export const open = {
    'nanostate-hubws': openNanostate,
    'mosquitto-ws': openMosquitto,
};
