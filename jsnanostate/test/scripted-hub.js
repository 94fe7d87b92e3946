// SPDX-License-Identifier: MIT
// A scripted hub for the App tests: a WebSocket server on a free port whose
// test says which frames it sends, and which can wait for the frames the App
// sends, parsed. It implements none of the hub's rules.

import { WebSocketServer } from 'ws';

import {
    buildFrame, OP_ACK, OP_BATCH, OP_HEARTBEAT, OP_SNAPSHOT, parseFrame, SNAP_FULL,
} from '../src/frame.js';
import { encodeValue } from '../src/value.js';

export class ScriptedHub {
    constructor() {
        this.frames = []; // parsed frames not taken yet, a BATCH's unpacked
        this.batches = 0; // BATCH messages received
        this.waiting = null;
        this.client = null;
        this.connections = 0;
        this.epoch = 0x5a17c0de00000001n;
        this.seq = 0;
    }

    /** Starts listening on 127.0.0.1 (port 0: a free one). */
    static async start(port = 0) {
        const hub = new ScriptedHub();
        await hub.listen(port);
        return hub;
    }

    listen(port) {
        return new Promise((resolve, reject) => {
            this.server = new WebSocketServer({ host: '127.0.0.1', port, path: '/ws' });
            this.server.once('error', reject);
            this.server.once('listening', () => {
                this.port = this.server.address().port;
                this.url = `ws://127.0.0.1:${this.port}/ws`;
                resolve();
            });
            this.server.on('connection', (ws, req) => {
                this.connections++;
                this.client = ws;
                this.lastRequest = req;
                ws.on('message', (data) => {
                    const f = parseFrame(new Uint8Array(data));
                    if (f.op === OP_BATCH) {
                        this.batches++;
                        for (const one of f.frames)
                            this.frames.push({ ...parseFrame(one), inBatch: true });
                    } else {
                        this.frames.push(f);
                    }
                    this.wake();
                });
                this.wake();
            });
        });
    }

    wake() {
        if (this.waiting)
            this.waiting();
    }

    /** The next frame the App sent that satisfies `match` (frames before it
     * are dropped), within timeoutMs. */
    async next(match = () => true, timeoutMs = 3000) {
        const deadline = Date.now() + timeoutMs;
        for (;;) {
            while (this.frames.length) {
                const f = this.frames.shift();
                if (match(f))
                    return f;
            }
            const left = deadline - Date.now();
            if (left <= 0)
                throw new Error('the App sent no such frame in time');
            await new Promise((resolve) => {
                const timer = setTimeout(resolve, left);
                this.waiting = () => {
                    clearTimeout(timer);
                    this.waiting = null;
                    resolve();
                };
            });
        }
    }

    /** Resolves when an App is connected. */
    async connected(timeoutMs = 3000) {
        const deadline = Date.now() + timeoutMs;
        while (!this.client || this.client.readyState !== 1) {
            if (Date.now() > deadline)
                throw new Error('no App connected');
            await new Promise((resolve) => {
                const timer = setTimeout(resolve, 20);
                this.waiting = () => {
                    clearTimeout(timer);
                    this.waiting = null;
                    resolve();
                };
            });
        }
    }

    send(bytes) {
        this.client.send(bytes);
    }

    heartbeat(periodMs = 1000, maxFrame = 16 * 1024 * 1024) {
        this.send(buildFrame('$hub', '', null, OP_HEARTBEAT, [this.epoch, this.seq, periodMs, maxFrame]));
    }

    /** One SNAPSHOT chunk answering `sync`; entries [name, seq, sender,
     * session, value] (value a JS value) or [name, seq]. */
    snapshot(sync, entries, { flags = SNAP_FULL, since = 0, upto, seq = this.seq, hwm = 0 } = {}) {
        const packed = entries.map((e) => (e.length > 2 ? [e[0], e[1], e[2], e[3], encodeValue(e[4])] : e));
        this.send(buildFrame('$hub', '', null, OP_SNAPSHOT,
            [sync.session, this.epoch, since, upto ?? seq, seq, flags, hwm], packed));
    }

    /** A live SET (value a JS value) or DEL (value undefined), hub form. */
    update(op, sender, name, value, session, aseq, seq) {
        this.send(buildFrame(sender, name, value === undefined ? null : encodeValue(value), op, [session, aseq, seq]));
    }

    ack(session, hwm, trigger, seq = 0) {
        this.send(buildFrame('$hub', '', null, OP_ACK, [session, hwm, trigger, seq]));
    }

    /** Drops the App's connection (like a hub that went away). */
    dropClient() {
        this.client?.terminate();
        this.client = null;
    }

    async stop() {
        for (const ws of this.server.clients)
            ws.terminate();
        await new Promise((resolve) => this.server.close(resolve));
    }
}
