// SPDX-License-Identifier: MIT
// nanostate.js - a Nanostate App for browsers and Node.js: a live replica of
// every state of a hub, reached over WebSocket (nanostate-hubws), and this
// App's own states, published until the hub has them.
//
// The rules are those of docs/PROTOCOL.md section 7.8, as cnanostate/lib/app.c
// implements them: a snapshot on connect, gap detection and resync, a
// heartbeat-based connected state, sessions and aseqs with REBASE, ACKs (with
// the seq a WebSocket sender gets instead of its echo), re-publishing after a
// hub restart, conflation and an in-flight window, PINGs while updates stay
// unaccepted; BATCH frames both ways under load (section 7.10). Beyond
// section 7.8, the WebSocket is reopened when it closes, after a capped,
// jittered backoff.
//
//   const app = new Nanostate('ws://127.0.0.1:15001/ws', { identity: 'panel' });
//   app.on('update', (name, value, sender) => console.log(name, value, sender));
//   await app.ready();
//   app.set('robot/speed', 0.7);
//   await app.flush(2000);
//   app.close();

import { Emitter } from './emitter.js';
import {
    buildBatch, buildHello, buildPing, buildSync, buildUpdate, FEATURE_BATCH, FLAG_REBASE,
    MAX_IDENTITY, MAX_NAME, OP_ACK, OP_BATCH, OP_DEL, OP_HEARTBEAT, OP_PING, OP_SET, OP_SNAPSHOT,
    parseFrame, SNAP_FULL, SNAP_MORE, utf8Bytes, validValue,
} from './frame.js';
import { decodeValue, encodeValue, ExtData, Packed, typeOf } from './value.js';

export { ExtData, Packed, typeOf };
export { decodeValue, encodeValue } from './value.js';
export { FrameError, packedType, parseFrame } from './frame.js';
export { globMatch, globToRegExp } from './glob.js';

export const DEFAULT_PORT = 15001;
const DEFAULT_MAX_FRAME = 16 * 1024 * 1024;
const DEFAULT_PERIOD_MS = 1000;
const DEFAULT_SEND_WINDOW = 512 * 1024;
const SYNC_RETRY_FIRST_MS = 10;
const PING_FIRST_MS = 100;
const FRAME_OVERHEAD = 64;
// Updates go out at once while fewer of this App's messages than this are in
// flight; beyond, they gather in one open BATCH of up to BATCH_BYTES that
// goes when the hub accepts one of those (PROTOCOL.md 7.10, as app.c).
const SEND_AT_ONCE = 4;
const BATCH_BYTES = 64 * 1024;
// A BATCH's head beyond the identity, and an update frame's beyond its
// name and value, at most.
const BATCH_HEAD_ROOM = 16;
const UPDATE_ROOM = 32;
// The close reason of a hub that lets this client write only some names.
const BATCH_REFUSED = /may not send BATCH/;

const NOT_DECODED = Symbol('not decoded');

/** An error of the API: `code` is ENAME, EVALUE, ETOOBIG, ETIMEDOUT or ECLOSED. */
export class NanostateError extends Error {
    constructor(code, message) {
        super(message);
        this.name = 'NanostateError';
        this.code = code;
    }
}

function now() {
    return typeof performance !== 'undefined' ? performance.now() : Date.now();
}

function random64() {
    const words = new Uint32Array(2);
    for (;;) {
        crypto.getRandomValues(words);
        const x = (BigInt(words[0]) << 32n) | BigInt(words[1]);
        if (x !== 0n)
            return x;
    }
}

function sameBytes(a, b) {
    if (a === b)
        return true;
    if (a.length !== b.length)
        return false;
    for (let i = 0; i < a.length; i++)
        if (a[i] !== b[i])
            return false;
    return true;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function defaultUrl() {
    const loc = globalThis.location;
    if (loc && /^https?:$/.test(loc.protocol))
        return `${loc.protocol === 'https:' ? 'wss' : 'ws'}://${loc.host}/ws`;
    return `ws://127.0.0.1:${DEFAULT_PORT}/ws`;
}

function defaultIdentity() {
    const proc = globalThis.process;
    if (proc && typeof proc.pid === 'number' && !globalThis.document)
        return `js-${proc.pid}`;
    return `web-${random64().toString(16).slice(0, 6)}`;
}

// Node 20 has no global WebSocket: the `ws` package stands in (and is left
// out of the browser bundle).
let wsModule = null;
function webSocketClass() {
    if (typeof globalThis.WebSocket === 'function')
        return globalThis.WebSocket;
    wsModule ??= import('ws').then((m) => m.WebSocket ?? m.default);
    return wsModule;
}

function valueOf(entry) {
    if (entry.value === NOT_DECODED)
        entry.value = decodeValue(entry.packed);
    return entry.value;
}

/**
 * A read-only, live, Map-like view of the states an App shows: the hub's
 * table with this App's own not-yet-accepted updates on top. Iteration gives
 * [name, value] pairs; copy it with `new Map(app.states)` or
 * `Object.fromEntries(app.states)`. Values are not copied: do not change them.
 */
class StatesView {
    #app;

    constructor(app) {
        this.#app = app;
    }

    get size() {
        let n = this.#app._replica.size;
        for (const [name, o] of this.#app._outbox) {
            const inReplica = this.#app._replica.has(name);
            if (o.removal && inReplica)
                n--;
            else if (!o.removal && !inReplica)
                n++;
        }
        return n;
    }

    has(name) {
        return this.#app._visible(name) !== null;
    }

    get(name) {
        const e = this.#app._visible(name);
        return e ? valueOf(e) : undefined;
    }

    *entries() {
        const app = this.#app;
        for (const [name, e] of app._replica)
            if (!app._outbox.has(name))
                yield [name, valueOf(e)];
        for (const [name, o] of app._outbox)
            if (!o.removal)
                yield [name, valueOf(o)];
    }

    *keys() {
        for (const [name] of this.entries())
            yield name;
    }

    *values() {
        for (const [, value] of this.entries())
            yield value;
    }

    forEach(fn, thisArg) {
        for (const [name, value] of this.entries())
            fn.call(thisArg, value, name, this);
    }

    [Symbol.iterator]() {
        return this.entries();
    }

    get [Symbol.toStringTag]() {
        return 'NanostateStates';
    }
}

/**
 * A Nanostate App over WebSocket.
 *
 * Events (listen with on(event, fn), once(), off()):
 *   'update'     (name, value, sender, fromSnapshot, {local, seq}) a state was
 *                set to a different value, by another App or (local: true)
 *                by this one
 *   'remove'     (name, sender, {local}) a state was removed
 *   'connect'    ()  the hub is heard from (a frame within two heartbeats)
 *   'disconnect' ()  the hub went silent or the socket closed
 *   'synced'     ()  the replica holds the hub's whole table again
 *   'error'      (error) a socket error, an exception thrown by a listener, or
 *                the hub refusing a write (code EPERM: the pending updates are dropped)
 */
export class Nanostate extends Emitter {
    /**
     * @param {string} [url] ws:// or wss:// URL of nanostate-hubws; default:
     *   ws(s)://<page host>/ws in a browser, ws://127.0.0.1:15001/ws in Node
     * @param {object} [options]
     * @param {string} [options.identity] name shown to others as sender
     * @param {string} [options.token] sent as ?token= (hub option --token)
     * @param {boolean} [options.reconnect=true] reopen the socket when it closes
     * @param {number} [options.reconnectMinMs=100] first reconnect delay
     * @param {number} [options.reconnectMaxMs=5000] longest reconnect delay
     * @param {number} [options.sendWindow=524288] bytes of unaccepted updates in flight
     * @param {boolean} [options.batch=true] under load, send updates together
     *   as BATCH frames; false: each alone. A hub that limits what this
     *   client writes (a token for some names) refuses BATCH frames: after
     *   such a refusal the App sends its frames alone
     * @param {Function} [options.WebSocket] WebSocket class to use
     */
    constructor(url, options = {}) {
        super();
        if (url && typeof url === 'object' && !(url instanceof URL)) {
            options = url;
            url = undefined;
        }
        const identity = options.identity ?? defaultIdentity();
        this._identityLen = utf8Bytes(identity).length;
        if (typeof identity !== 'string' || this._identityLen > MAX_IDENTITY || LONE_SURROGATE.test(identity) || identity.includes('\0'))
            throw new NanostateError('ENAME', 'identity must be a string of at most 1024 bytes of UTF-8');
        this._url = new URL(String(url ?? defaultUrl()), globalThis.location?.href);
        if (this._url.protocol === 'http:' || this._url.protocol === 'https:')
            this._url.protocol = this._url.protocol === 'https:' ? 'wss:' : 'ws:';
        if (this._url.protocol !== 'ws:' && this._url.protocol !== 'wss:')
            throw new TypeError(`not a WebSocket URL: ${this._url.href}`);
        if (options.token !== undefined && options.token !== null)
            this._url.searchParams.set('token', String(options.token));
        this._identity = identity;
        this._session = random64();
        this._reconnect = options.reconnect ?? true;
        this._reconnectMinMs = options.reconnectMinMs ?? 100;
        this._reconnectMaxMs = options.reconnectMaxMs ?? 5000;
        this._sendWindow = options.sendWindow ?? DEFAULT_SEND_WINDOW;
        this._batchOut = options.batch ?? true;
        this._WebSocket = options.WebSocket ?? null;

        this._maxFrame = DEFAULT_MAX_FRAME;
        this._periodMs = DEFAULT_PERIOD_MS;

        // The hub's table as last seen: name -> {packed, value, sender, session, seq, mark}.
        this._replica = new Map();
        // Removals seen during a sync (name -> seq): an older entry must not undo them.
        this._removedSeq = new Map();
        // Own updates the hub has not accepted: name -> {name, nameLen, packed,
        // value, removal, aseq, inflight}; sent in order from _queued, then
        // kept in _inflight (in aseq order) until accepted.
        this._outbox = new Map();
        this._queued = new Set();
        this._inflight = new Set();
        // aseq -> what was sent with it, until the hub accepts it: the send
        // window counts these bytes (a frame superseded by a newer value is
        // still in flight), and the ACK a WebSocket sender gets instead of
        // its echo names the update by its aseq.
        this._sent = new Map();
        this._sentBytes = 0;
        this._nextAseq = 1;
        this._rebaseAseq = 0;
        this._needRebase = true; // the hub learns our session from the first frame
        // Update messages sent and not accepted yet: the last aseq of each.
        this._messages = [];
        // The open batch: frames numbered, not sent yet.
        this._batchFrames = [];
        this._batchBytes = 0;
        this._batchLastAseq = 0;
        this._censusAnswered = 0;

        this._haveEpoch = false;
        this._epoch = 0n;
        this._lastSeq = 0;
        this._synced = false;
        this._syncing = false;
        this._syncFull = false;
        this._mark = 1;
        this._syncSince = 0;
        this._syncDue = 0;
        this._syncRetryMs = SYNC_RETRY_FIRST_MS;

        this._connected = false;
        this._lastHubMs = 0;
        this._pingDue = 0;
        this._pingRetryMs = PING_FIRST_MS;

        this._ws = null;
        this._sockOpen = false;
        this._closed = false;
        this._attempt = 0;
        this._reconnectTimer = null;
        this._timer = null;
        this._timerDue = Infinity;
        this._wasSynced = false;
        this._waiters = new Set();

        this._stats = {
            framesIn: 0, framesOut: 0, updatesIn: 0, gaps: 0, resyncs: 0, resends: 0,
            rejected: 0, hubRestarts: 0, reconnects: 0,
        };
        this._states = new StatesView(this);

        this._startSync(0);
        this._open();
    }

    // --- public API -----------------------------------------------------

    /** The name this App sends as sender. */
    get identity() {
        return this._identity;
    }

    /** This App instance's random 64-bit session (a BigInt). */
    get session() {
        return this._session;
    }

    /** The hub URL (with ?token= when given). */
    get url() {
        return this._url.href;
    }

    /** The hub was heard from within two heartbeat periods. */
    get connected() {
        return this._connected;
    }

    /** The replica holds the hub's whole table (no sync running). */
    get synced() {
        return this._synced && !this._syncing;
    }

    /** How many own updates the hub has not accepted yet. */
    get pending() {
        return this._outbox.size;
    }

    /** The states: a read-only live Map-like view (see StatesView). */
    get states() {
        return this._states;
    }

    /** Counters: framesIn, framesOut, updatesIn, gaps, resyncs, resends,
     * rejected, hubRestarts, reconnects (a copy). */
    get stats() {
        return { ...this._stats };
    }

    /** The value of a state, or undefined. */
    get(name) {
        const e = this._visible(name);
        return e ? valueOf(e) : undefined;
    }

    /** The value of a state as the msgpack bytes the hub has (or this App
     * sent), or undefined. Do not change them. */
    packed(name) {
        return this._visible(name)?.packed;
    }

    /** True when the state exists. */
    has(name) {
        return this._visible(name) !== null;
    }

    /** Identity of the App that set the state last (this App's for its own
     * pending updates), or undefined. */
    sender(name) {
        const e = this._visible(name);
        return e ? e.sender : undefined;
    }

    /**
     * Sets a state. The value shows at once and is sent when the connection
     * and the send window allow; a later set of the same name replaces a
     * value not sent yet.
     * @throws {NanostateError} ENAME (bad name), EVALUE (no msgpack mapping,
     *   nested deeper than 64), ETOOBIG (over the hub's frame size), ECLOSED
     */
    set(name, value) {
        let packed;
        try {
            packed = encodeValue(value);
        } catch (err) {
            throw new NanostateError('EVALUE', err.message);
        }
        if (!validValue(packed))
            throw new NanostateError('EVALUE', 'the value is not one msgpack object nested at most 64 deep');
        this._localUpdate(name, false, packed);
    }

    /** Removes a state (a removal is an update like a set). */
    remove(name) {
        this._localUpdate(name, true, null);
    }

    /** Resolves when the replica is synced (at once if it is). */
    ready(timeoutMs) {
        return this._wait(() => this.synced, timeoutMs);
    }

    /** Resolves when synced and every own update was accepted by the hub;
     * rejects with ETIMEDOUT after timeoutMs (none: wait for ever). */
    flush(timeoutMs) {
        return this._wait(() => this.synced && this._outbox.size === 0, timeoutMs);
    }

    /** Closes the socket for good; pending updates are dropped, waiting
     * promises reject with ECLOSED. */
    close() {
        if (this._closed)
            return;
        this._closed = true;
        clearTimeout(this._timer);
        clearTimeout(this._reconnectTimer);
        this._timer = this._reconnectTimer = null;
        this._dropSocket();
        this._setConnected(false);
        for (const w of this._waiters)
            w.reject(new NanostateError('ECLOSED', 'the App was closed'));
        this._waiters.clear();
    }

    // --- the socket ------------------------------------------------------

    async _open() {
        this._reconnectTimer = null;
        if (this._closed)
            return;
        let WS;
        try {
            WS = this._WebSocket ?? (await webSocketClass());
        } catch (err) {
            this.emit('error', err);
            return;
        }
        if (this._closed)
            return;
        let ws;
        try {
            ws = new WS(this._url.href);
        } catch (err) {
            this.emit('error', err);
            this._scheduleReconnect();
            return;
        }
        ws.binaryType = 'arraybuffer';
        this._ws = ws;
        ws.onopen = () => {
            this._sockOpen = true;
            this._lastHubMs = now(); // the hub has 4 periods to say something
            if (this._syncing) {
                this._syncRetryMs = SYNC_RETRY_FIRST_MS;
                this._sendSync();
            }
            this._arm();
        };
        ws.onmessage = (ev) => {
            if (typeof ev.data === 'string') {
                this._stats.framesIn++;
                this._stats.rejected++;
                return;
            }
            this._handleFrame(new Uint8Array(ev.data));
        };
        ws.onerror = (ev) => {
            const err = ev?.error instanceof Error ? ev.error : new Error(`WebSocket error on ${this._url.href}${ev?.message ? ': ' + ev.message : ''}`);
            this.emit('error', err);
        };
        ws.onclose = (ev) => {
            if (this._ws !== ws)
                return;
            this._ws = null;
            this._sockOpen = false;
            this._setConnected(false);
            if (ev?.code === 1008 && BATCH_REFUSED.test(ev.reason ?? '')) {
                // Only the form was refused: the same updates go again,
                // alone, over the next connection.
                this._batchOut = false;
            } else if (ev?.code === 1008) {
                this._dropRefused(ev.reason);
            }
            this._scheduleReconnect();
            this._arm();
        };
    }

    // The hub closed us (1008) for writing what this App may not (a
    // read-only client, or a name outside its token's prefixes): sending the
    // same updates again would only repeat it. They are dropped, each name
    // shows the hub's value again, and 'error' says why.
    _dropRefused(reason) {
        const refused = [...this._outbox.values()];
        this._outbox.clear();
        this._inflight.clear();
        this._sent.clear();
        this._sentBytes = 0;
        this._forgetMessages();
        this._pingDue = 0;
        for (const o of refused) {
            const r = this._replica.get(o.name);
            const changed = o.removal ? r !== undefined : !r || !sameBytes(r.packed, o.packed);
            if (changed)
                this._notify(o.name, false, false, r ? r.seq : 0, r ? undefined : '');
        }
        this.emit('error', new NanostateError('EPERM', `the hub refused a write: ${reason || 'policy violation'}` +
            (refused.length ? `; ${refused.length} pending update(s) dropped` : '')));
    }

    _scheduleReconnect() {
        if (this._closed || !this._reconnect || this._reconnectTimer)
            return;
        // Doubling from reconnectMinMs up to reconnectMaxMs, each delay drawn
        // from its upper half so that many Apps do not come back at once.
        const cap = Math.min(this._reconnectMaxMs, this._reconnectMinMs * 2 ** Math.min(this._attempt, 20));
        this._attempt++;
        const delay = cap / 2 + Math.random() * (cap / 2);
        this._stats.reconnects++;
        this._reconnectTimer = setTimeout(() => this._open(), delay);
    }

    // Sends one message holding `frames` frames.
    _send(bytes, frames = 1) {
        const ws = this._ws;
        if (!ws || !this._sockOpen)
            return; // lost, as on a bus: the rules of 7.8 send it again
        try {
            ws.send(bytes);
            this._stats.framesOut += frames;
        } catch (err) {
            this.emit('error', err);
        }
    }

    // --- the visible table ---------------------------------------------

    // The entry this App shows for a name: its own pending update, else the
    // hub's; null if the state does not exist.
    _visible(name) {
        const o = this._outbox.get(name);
        if (o)
            return o.removal ? null : o;
        return this._replica.get(name) ?? null;
    }

    _differs(name, exists, packed) {
        const cur = this._visible(name);
        if ((cur !== null) !== exists)
            return true;
        return cur !== null && !sameBytes(cur.packed, packed);
    }

    // by: who removed it, for a removal (the replica no longer knows).
    _notify(name, local, snapshot, seq, by) {
        const e = this._visible(name);
        if (e)
            this.emit('update', name, valueOf(e), e.sender, snapshot, { local, seq });
        else
            this.emit('remove', name, by ?? '', { local });
    }

    // --- the outbox -------------------------------------------------------

    _localUpdate(name, removal, packed) {
        if (this._closed)
            throw new NanostateError('ECLOSED', 'the App was closed');
        if (typeof name !== 'string' || LONE_SURROGATE.test(name) || name.includes('\0'))
            throw new NanostateError('ENAME', 'a state name is a string of well-formed UTF-8 without U+0000');
        const nameLen = utf8Bytes(name).length;
        if (nameLen < 1 || nameLen > MAX_NAME || name[0] === '$')
            throw new NanostateError('ENAME', `bad state name '${name}': 1 to 1024 bytes, not starting with '$'`);
        const size = removal ? 2 : packed.length;
        if (nameLen + size + this._identityLen + FRAME_OVERHEAD > this._maxFrame)
            throw new NanostateError('ETOOBIG', `the update of '${name}' is larger than the hub's ${this._maxFrame} bytes`);
        const change = this._differs(name, !removal, packed);
        let o = this._outbox.get(name);
        if (!o) {
            o = { name, nameLen, packed: null, value: NOT_DECODED, sender: this._identity, removal, aseq: 0, inflight: false };
            this._outbox.set(name, o);
            this._queued.add(o);
        } else {
            this._requeue(o); // the newer value must be sent too
        }
        o.packed = removal ? new Uint8Array(0) : packed;
        o.value = NOT_DECODED;
        o.removal = removal;
        if (change)
            this._notify(name, true, false, 0, this._identity);
        this._flushOutbox();
        this._arm();
    }

    _requeue(o) {
        if (o.inflight) {
            o.inflight = false;
            this._inflight.delete(o);
        } else {
            this._queued.delete(o);
        }
        this._queued.add(o);
    }

    // Every update in flight is sent again, the first with REBASE.
    _rebaseInflight() {
        for (const o of this._inflight) {
            o.inflight = false;
            this._stats.resends++;
        }
        this._queued = new Set([...this._inflight, ...this._queued]);
        this._inflight.clear();
        // Frames after the hub's hwm were lost or refused: no ACK will come.
        this._sent.clear();
        this._sentBytes = 0;
        this._forgetMessages();
        this._needRebase = true;
    }

    // Nothing in flight or in the open batch will be accepted.
    _forgetMessages() {
        this._messages.length = 0;
        this._batchFrames = [];
        this._batchBytes = 0;
    }

    // The largest batch body: the hub's frame size bounds it too.
    _batchLimit() {
        return Math.min(this._maxFrame, BATCH_BYTES) - this._identityLen - BATCH_HEAD_ROOM;
    }

    // Sends the open batch: one frame as it is, several as one BATCH.
    _flushBatch() {
        const frames = this._batchFrames;
        if (!frames.length)
            return;
        this._messages.push(this._batchLastAseq);
        this._send(buildBatch(this._identity, frames, this._batchBytes), frames.length);
        this._batchFrames = [];
        this._batchBytes = 0;
    }

    // Sends update frame `aseq` now, or puts it in the open batch.
    _sendUpdate(frame, aseq) {
        const limit = this._batchLimit();
        if (!this._batchOut || frame.length > limit) {
            this._flushBatch();
            this._messages.push(aseq);
            this._send(frame);
            return;
        }
        if (this._batchBytes + frame.length > limit)
            this._flushBatch();
        this._batchFrames.push(frame);
        this._batchBytes += frame.length;
        this._batchLastAseq = aseq;
    }

    // Numbers the queued updates and sends them, together where they fit.
    // With too many messages in flight they only join the open batch while
    // it has room: it goes when the hub accepts one of those, so a burst
    // loses no update to conflation while batches have room.
    _flushOutbox() {
        if (!this._connected)
            return;
        const gather = this._batchOut && this._messages.length >= SEND_AT_ONCE;
        const room = this._batchLimit() - this._identityLen - UPDATE_ROOM;
        for (const o of this._queued) {
            const cost = o.packed.length + o.nameLen;
            if (this._sent.size > 0 && this._sentBytes + cost > this._sendWindow)
                break;
            if (gather && this._batchBytes + cost > room)
                break;
            const aseq = this._nextAseq++;
            let op = o.removal ? OP_DEL : OP_SET;
            if (this._needRebase) {
                op |= FLAG_REBASE;
                this._rebaseAseq = aseq;
                this._needRebase = false;
            }
            this._sendUpdate(buildUpdate(op, this._identity, o.name, o.packed, this._session, aseq), aseq);
            o.aseq = aseq;
            o.inflight = true;
            this._queued.delete(o);
            this._inflight.add(o);
            this._sent.set(aseq, { name: o.name, packed: o.packed, removal: o.removal, cost });
            this._sentBytes += cost;
            if (!this._pingDue) {
                this._pingRetryMs = PING_FIRST_MS;
                this._pingDue = now() + this._pingRetryMs;
            }
        }
        if (!gather)
            this._flushBatch();
    }

    // The hub applied every frame of ours up to aseq `hwm`.
    _ackUpto(hwm) {
        let accepted = 0;
        while (accepted < this._messages.length && this._messages[accepted] <= hwm)
            accepted++;
        this._messages.splice(0, accepted);
        let progress = false;
        for (const o of this._inflight) {
            if (o.aseq > hwm)
                break;
            this._inflight.delete(o);
            this._outbox.delete(o.name);
            // The replica holds what the hub made of it; the overlay goes.
            const r = this._replica.get(o.name);
            const changed = o.removal ? r !== undefined : !r || !sameBytes(r.packed, o.packed);
            if (changed)
                this._notify(o.name, false, false, r ? r.seq : 0, r ? undefined : '');
        }
        for (const [aseq, sent] of this._sent) {
            if (aseq > hwm)
                break;
            this._sent.delete(aseq);
            this._sentBytes -= sent.cost;
            progress = true;
        }
        // Frames superseded by a newer value count too: their ACKs free
        // the window.
        if (progress) {
            this._pingRetryMs = PING_FIRST_MS;
            this._pingDue = this._sent.size ? now() + this._pingRetryMs : 0;
        }
    }

    // --- the replica -----------------------------------------------------

    // Applies a change the hub made, if it is newer than what the replica has.
    _applyConfirmed(removed, name, packed, sender, session, seq, snapshot) {
        const e = this._replica.get(name);
        if (e && e.seq >= seq && seq !== 0) {
            e.mark = this._mark;
            return;
        }
        if (this._syncing && seq !== 0 && (this._removedSeq.get(name) ?? 0) >= seq)
            return;
        const overlay = this._outbox.has(name);
        const change = !overlay && this._differs(name, !removed, packed);
        if (removed) {
            if (this._syncing)
                this._removedSeq.set(name, seq);
            if (!e)
                return;
            this._replica.delete(name);
        } else if (e) {
            e.packed = packed.slice();
            e.value = NOT_DECODED;
            e.sender = sender;
            e.session = session;
            e.seq = seq;
            e.mark = this._mark;
        } else {
            this._replica.set(name, { packed: packed.slice(), value: NOT_DECODED, sender, session, seq, mark: this._mark });
        }
        if (change)
            this._notify(name, false, snapshot, seq, sender);
    }

    // Forgets the socket: no more events from it, closed if it was open.
    _dropSocket() {
        const ws = this._ws;
        this._ws = null;
        this._sockOpen = false;
        if (!ws)
            return;
        ws.onopen = ws.onmessage = ws.onclose = null;
        ws.onerror = () => {};
        try {
            ws.close();
        } catch { /* not open yet */ }
    }

    // --- syncing ---------------------------------------------------------

    _sendSync() {
        const continuesFull = this._syncFull && Boolean(this._syncSince);
        this._send(buildSync(this._identity, this._session, this._haveEpoch ? this._epoch : 0n,
                             this._syncSince, continuesFull, FEATURE_BATCH));
        this._syncDue = now() + this._syncRetryMs;
    }

    _startSync(since) {
        this._syncing = true;
        this._syncFull = since === 0;
        if (this._syncFull)
            this._mark++;
        this._syncSince = since;
        this._syncRetryMs = SYNC_RETRY_FIRST_MS;
        this._removedSeq.clear();
        this._sendSync();
    }

    _finishFullSync() {
        // States the hub did not mention are gone.
        for (const [name, e] of this._replica) {
            if (e.mark === this._mark)
                continue;
            const overlay = this._outbox.has(name);
            this._replica.delete(name);
            if (!overlay)
                this._notify(name, false, true, 0, '');
        }
    }

    // The hub is new (restart) or first met: forget its old numbering and
    // re-publish what this App wrote last. The caller syncs in full.
    _adoptEpoch(epoch) {
        if (this._haveEpoch) {
            this._stats.hubRestarts++;
            for (const [name, e] of this._replica) {
                e.seq = 0;
                if (e.session !== this._session || this._outbox.has(name))
                    continue;
                const o = {
                    name, nameLen: utf8Bytes(name).length, packed: e.packed, value: NOT_DECODED,
                    sender: this._identity, removal: false, aseq: 0, inflight: false,
                };
                this._outbox.set(name, o);
                this._queued.add(o);
            }
            this._rebaseInflight();
        }
        this._haveEpoch = true;
        this._epoch = epoch;
        this._synced = false;
    }

    _setConnected(connected) {
        if (this._connected === connected)
            return;
        this._connected = connected;
        if (connected) {
            this._attempt = 0;
            // What was in flight when the hub went away may not have arrived.
            if (this._sent.size)
                this._rebaseInflight();
        } else {
            this._pingDue = 0;
            // Keep asking, so the first hub to answer brings us back.
            if (!this._syncing && !this._closed)
                this._startSync(this._synced ? this._lastSeq : 0);
        }
        this.emit(connected ? 'connect' : 'disconnect');
    }

    // --- frames from the hub -------------------------------------------

    // One message from the hub: a frame, or a BATCH whose frames are
    // handled in order, each as if it came alone.
    _handleFrame(bytes) {
        if (this._closed)
            return;
        const f = this._parse(bytes, false);
        if (f?.op === OP_BATCH) {
            for (const inner of f.frames) {
                const g = this._parse(inner, true);
                if (g && !this._closed)
                    this._onFrame(g);
            }
        } else if (f) {
            this._onFrame(f);
        }
        this._flushOutbox();
        this._afterChange();
    }

    // A frame checked, or null (counted as rejected). A BATCH counts by
    // its frames, and holds no BATCH.
    _parse(bytes, inBatch) {
        let f;
        try {
            f = parseFrame(bytes);
        } catch {
            f = null;
        }
        if (f?.op === OP_BATCH && !inBatch)
            return f;
        this._stats.framesIn++;
        // Counters beyond 2^53 - 1 (BigInts) would take 285 years at a
        // million changes a second: such a frame is not from a sane hub.
        if (!f || f.op === OP_BATCH
            || ['aseq', 'seq', 'since', 'upto', 'hwm', 'trigger'].some((k) => typeof f[k] === 'bigint')) {
            this._stats.rejected++;
            return null;
        }
        return f;
    }

    _onFrame(f) {
        this._lastHubMs = now();
        this._setConnected(true);
        switch (f.op) {
        case OP_SET:
        case OP_DEL:
            if (f.count >= 7)
                this._onUpdate(f);
            break;
        case OP_SNAPSHOT: this._onSnapshot(f); break;
        case OP_HEARTBEAT: this._onHeartbeat(f); break;
        case OP_ACK: this._onAck(f); break;
        default: break; // the hub sends no other op
        }
    }

    // A live change numbered `seq`: true if it is to be applied.
    _liveSeq(seq) {
        if (!this._haveEpoch)
            return false; // our first sync brings it
        if (this._synced && !this._syncing) {
            if (seq <= this._lastSeq)
                return false;
            if (seq === this._lastSeq + 1) {
                this._lastSeq = seq;
            } else {
                this._stats.gaps++;
                this._startSync(this._lastSeq);
            }
            return true;
        }
        return this._syncing;
    }

    _onUpdate(f) {
        if (!this._liveSeq(f.seq))
            return;
        this._stats.updatesIn++;
        this._applyConfirmed(f.op === OP_DEL, f.name, f.value, f.sender, f.session, f.seq, false);
        if (f.session === this._session)
            this._ackUpto(f.aseq);
    }

    _onSnapshot(f) {
        if (f.session !== this._session || !this._syncing)
            return;
        const full = (f.snapFlags & SNAP_FULL) !== 0;
        if (f.since !== this._syncSince && !(full && f.since === 0))
            return; // the answer to an earlier request
        if (!this._haveEpoch || f.epoch !== this._epoch)
            this._adoptEpoch(f.epoch); // the hub answered in full
        if (full && !this._syncFull) {
            this._syncFull = true;
            this._mark++;
        }
        for (const e of f.entries)
            this._applyConfirmed(e.removed, e.name, e.value ?? null, e.sender, e.session, e.seq, true);
        this._ackUpto(f.hwm);
        if (f.snapFlags & SNAP_MORE) {
            this._syncSince = f.upto;
            this._syncRetryMs = SYNC_RETRY_FIRST_MS;
            this._sendSync();
            return;
        }
        if (this._syncFull)
            this._finishFullSync();
        this._lastSeq = f.seq;
        this._syncing = false;
        this._synced = true;
        this._removedSeq.clear();
        this._stats.resyncs++;
    }

    _onHeartbeat(f) {
        if (f.periodMs >= 10 && f.periodMs <= 3600 * 1000)
            this._periodMs = f.periodMs;
        if (typeof f.maxFrame === 'number' && f.maxFrame >= 1024)
            this._maxFrame = f.maxFrame;
        if (f.census && f.census !== this._censusAnswered) {
            // A new census round: say again that we read BATCH frames.
            this._censusAnswered = f.census;
            this._send(buildHello(this._identity, this._session, FEATURE_BATCH));
        }
        if (!this._haveEpoch && this._syncing) {
            // The socket is up now: our first SYNC may have gone nowhere.
            this._syncRetryMs = SYNC_RETRY_FIRST_MS;
            this._sendSync();
            return;
        }
        if (!this._haveEpoch || f.epoch !== this._epoch) {
            this._adoptEpoch(f.epoch);
            this._startSync(0);
            return;
        }
        if (this._synced && !this._syncing && f.seq > this._lastSeq) {
            this._stats.gaps++;
            this._startSync(this._lastSeq);
        }
    }

    _onAck(f) {
        if (f.session !== this._session)
            return;
        if (f.seq !== 0) {
            // A WebSocket sender's accepted update (7.9): like its echo.
            const sent = this._sent.get(f.trigger);
            if (this._liveSeq(f.seq) && sent) {
                this._stats.updatesIn++;
                this._applyConfirmed(sent.removal, sent.name, sent.packed, this._identity, this._session, f.seq, false);
            }
        }
        this._ackUpto(f.hwm);
        if (f.trigger >= this._rebaseAseq && f.hwm < f.trigger && this._sent.size)
            this._rebaseInflight();
    }

    // --- timers and waiters ----------------------------------------------

    _runTimers() {
        const t = now();
        if (this._connected && t >= this._lastHubMs + 2 * this._periodMs)
            this._setConnected(false);
        // A socket silent for four periods is dead although open: reopen it.
        if (this._sockOpen && t >= this._lastHubMs + 4 * this._periodMs) {
            this._dropSocket();
            this._scheduleReconnect();
        }
        if (this._syncing && t >= this._syncDue) {
            const cap = Math.min(this._periodMs, 1000);
            this._syncRetryMs = Math.min(this._syncRetryMs * 2, cap);
            this._sendSync();
        }
        if (this._connected && this._pingDue && t >= this._pingDue) {
            this._flushBatch(); // its frames come before the PING's aseq
            const aseq = this._nextAseq++;
            let op = OP_PING;
            if (this._needRebase) {
                op |= FLAG_REBASE;
                this._rebaseAseq = aseq;
                this._needRebase = false;
            }
            this._send(buildPing(this._identity, op, this._session, aseq));
            this._pingRetryMs = Math.min(this._pingRetryMs * 2, this._periodMs);
            this._pingDue = t + this._pingRetryMs;
        }
    }

    // Keeps one timer, due at the earliest deadline.
    _arm() {
        if (this._closed)
            return;
        let due = Infinity;
        if (this._connected)
            due = this._lastHubMs + 2 * this._periodMs;
        if (this._sockOpen)
            due = Math.min(due, this._lastHubMs + 4 * this._periodMs);
        if (this._syncing)
            due = Math.min(due, this._syncDue);
        if (this._connected && this._pingDue)
            due = Math.min(due, this._pingDue);
        if (due >= this._timerDue)
            return; // the armed timer comes first; it re-arms
        clearTimeout(this._timer);
        this._timerDue = due;
        if (due === Infinity) {
            this._timer = null;
            return;
        }
        this._timer = setTimeout(() => {
            this._timer = null;
            this._timerDue = Infinity;
            if (this._closed)
                return;
            this._runTimers();
            this._flushOutbox();
            this._afterChange();
        }, Math.max(0, due - now()) + 1);
    }

    _afterChange() {
        const synced = this.synced;
        if (synced && !this._wasSynced) {
            this._wasSynced = true;
            this.emit('synced');
        } else if (!synced) {
            this._wasSynced = false;
        }
        for (const w of this._waiters)
            if (w.done())
                w.resolve();
        this._arm();
    }

    _wait(done, timeoutMs) {
        if (this._closed)
            return Promise.reject(new NanostateError('ECLOSED', 'the App was closed'));
        if (done())
            return Promise.resolve();
        return new Promise((resolve, reject) => {
            let timer = null;
            const w = {
                done,
                resolve: () => {
                    clearTimeout(timer);
                    this._waiters.delete(w);
                    resolve();
                },
                reject: (err) => {
                    clearTimeout(timer);
                    reject(err);
                },
            };
            if (timeoutMs !== undefined && timeoutMs !== null && timeoutMs >= 0)
                timer = setTimeout(() => {
                    this._waiters.delete(w);
                    reject(new NanostateError('ETIMEDOUT', `not done within ${timeoutMs} ms`));
                }, timeoutMs);
            this._waiters.add(w);
        });
    }
}

export default Nanostate;
