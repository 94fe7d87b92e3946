// SPDX-License-Identifier: MIT
// ws-client.js - one WebSocket client as a peer of the hub engine, with the
// flow control of the Qt nanostate-hubws (hubws-qt/core/wsclient.cpp).
// Binary messages are frames for the engine; frames for the client go out
// as one binary message each.
//
// The backlog is what the socket has not sent yet (ws's bufferedAmount).
// Above maxQueue the client is paused (the engine sends it no broadcasts);
// once it falls to a quarter of that, it is resumed and pulls the newest
// value of every state it missed. Paused for stallTimeout, it is closed with
// 1013. While its backlog is above twice maxQueue, the frames it sends are
// dropped: answering them would grow the backlog without bound, and
// Nanostate Apps send again what the hub did not take.

const CLOSE_GOING_AWAY = 1001;
const CLOSE_UNSUPPORTED_DATA = 1003;
const CLOSE_TRY_AGAIN_LATER = 1013;

export class WsClient {
    #hub;
    #ws;
    #limits;
    #log;
    #paused = false;
    #closing = false;
    #stallTimer = null;
    #cutTimer = null;
    #drained;
    onClosed = null; // (client) => void: the connection is gone

    /**
     * Registers a peer with the engine and serves it until the socket closes.
     * @param {import('./hub.js').Hub} hub
     * @param {import('ws').WebSocket} ws an open connection
     * @param {{maxQueue: number, stallTimeoutMs: number}} limits
     * @param {(level: number, message: string) => void} log
     * @param {string} address 'host:port' for the log
     */
    constructor(hub, ws, limits, log, address) {
        this.#hub = hub;
        this.#ws = ws;
        this.#limits = limits;
        this.#log = log;
        this.address = address;
        this.droppedIn = 0; // frames from it dropped at the hard limit
        this.#drained = () => this.#onDrained();
        this.peer = hub.peerAdd();
        ws.on('message', (data, isBinary) => this.#onMessage(data, isBinary));
        ws.on('close', (code, reason) => this.#onClose(code, reason));
        ws.on('error', (err) => log(1, `client ${this.peer} (${address}): ${err.message}`));
    }

    get paused() {
        return this.#paused;
    }

    get backlog() {
        return this.#ws.bufferedAmount;
    }

    /** Queues one frame. Called from inside the engine (its output callback):
     * it may pause the peer, nothing else. */
    send(frame) {
        if (this.#closing)
            return;
        const low = this.#limits.maxQueue / 4;
        // While the backlog is high, each frame says when it has left: the
        // last one to leave above the low mark resumes a paused client.
        this.#ws.send(frame, { binary: true }, this.backlog + frame.length > low ? this.#drained : undefined);
        if (!this.#paused && this.backlog > this.#limits.maxQueue) {
            this.#paused = true;
            this.#hub.peerPause(this.peer);
            this.#stallTimer = setTimeout(() => this.#onStalled(), this.#limits.stallTimeoutMs);
            // Not from inside the engine call: on the next turn.
            queueMicrotask(() => this.#paused && this.#log(0,
                `client ${this.peer} (${this.address}) paused: ${this.backlog} bytes unsent`));
        }
    }

    /** Closes with a WebSocket close code; the connection is cut if the
     * client does not take the close within the stall timeout. */
    close(code = CLOSE_GOING_AWAY, reason = '') {
        if (this.#closing)
            return;
        this.#leave();
        this.#ws.close(code, reason);
        this.#cutTimer = setTimeout(() => this.#ws.terminate(), this.#limits.stallTimeoutMs);
        this.#cutTimer.unref();
    }

    #onMessage(data, isBinary) {
        if (this.#closing)
            return;
        if (!isBinary) {
            this.close(CLOSE_UNSUPPORTED_DATA, 'Nanostate frames are binary messages');
            return;
        }
        if (this.backlog > 2 * this.#limits.maxQueue) {
            if (this.droppedIn++ === 0 || this.droppedIn % 1000 === 0)
                this.#log(1, `client ${this.peer} (${this.address}) does not read: ${this.droppedIn} frames from it dropped`);
            return;
        }
        this.#hub.peerInput(this.peer, data); // the engine logs rejected frames
    }

    #onDrained() {
        if (!this.#paused || this.#closing || this.backlog > this.#limits.maxQueue / 4)
            return;
        this.#paused = false;
        clearTimeout(this.#stallTimer);
        this.#log(0, `client ${this.peer} (${this.address}) resumed`);
        this.#hub.peerResume(this.peer); // a heartbeat: it pulls what it missed
    }

    #onStalled() {
        if (!this.#paused || this.#closing)
            return;
        this.#log(1, `client ${this.peer} (${this.address}) stalled: paused for ${this.#limits.stallTimeoutMs} ms `
            + `with ${this.backlog} bytes unsent; closing it with 1013`);
        this.close(CLOSE_TRY_AGAIN_LATER, 'stalled');
    }

    #onClose(code, reason) {
        this.#leave();
        clearTimeout(this.#cutTimer);
        this.#log(0, `client ${this.peer} (${this.address}) left: close code ${code}${reason.length ? ` (${reason})` : ''}`);
        this.onClosed?.(this);
    }

    // Out of the engine: no more frames either way.
    #leave() {
        if (this.#closing)
            return;
        this.#closing = true;
        clearTimeout(this.#stallTimer);
        if (!this.#hub.closed)
            this.#hub.peerRemove(this.peer);
    }
}
