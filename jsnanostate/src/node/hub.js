// SPDX-License-Identifier: MIT
// hub.js - the C hub engine of libnanostate in a Node.js program: the table,
// snapshots, sequence numbers, heartbeats and the state file are all the
// engine's; this class only moves it on Node's event loop.
//
//   const hub = new Hub({ binds: ['tcp://127.0.0.1:15000'], stateFile: 'state.msgpack' });
//   hub.on('change', (state) => console.log(state.name, state.value));
//   ...
//   hub.close(); // saves the state file
//
// The engine is only ever called from the main thread. Its fd is watched by
// FdWatcher (poll() in a thread of its own); a timer runs the engine's own
// timers. While open, a Hub keeps Node running, as a server does.
// Events are emitted after the engine call that caused them has returned, so
// listeners may call anything, close() included.

import { Emitter } from '../emitter.js';
import { NanostateError } from '../nanostate.js';
import { decodeValue, encodeValue } from '../value.js';
import { FdWatcher } from './fd-watcher.js';
import { check, ERROR_CODES, load } from './library.js';

// enum nanostate_option
const OPTIONS = { maxFrame: 1, heartbeat: 2, recvBuffer: 3, sendBuffer: 4, saveDelay: 7, stats: 8, batch: 9 };
const OPT_STATE_FILE = 6;
// enum nanostate_hub_stat, in order from 1
const STATS = ['framesIn', 'framesOut', 'updates', 'rejected', 'outOfOrder', 'snapshots',
    'sessions', 'states', 'seq', 'epoch', 'peers', 'connections', 'batchesOut', 'peerBatchesOut'];
const ENOTFOUND = 8;

function bytesAt(koffi, pointer, size) {
    // Borrowed for the callback only: copy.
    return size ? Buffer.from(new Uint8Array(koffi.view(pointer, size))) : Buffer.alloc(0);
}

export class Hub extends Emitter {
    #koffi;
    #c;
    #types;   // the C structs, as koffi types
    #hub;
    #watcher = null;
    #timer = null;
    #timerDue = Infinity;
    #queued = [];        // [event, ...args] waiting for the engine call to return
    #inEngine = 0;       // > 0 while an engine call runs (callbacks may come)
    #callbacks = [];     // koffi-registered callbacks, unregistered on close
    #changeCallback = null;
    #outputCallback = null;
    #closeRequested = false;

    /**
     * Creates the engine, applies the options, loads the state file and binds.
     * @param {object} [o]
     * @param {string[]} [o.binds] nanomsg URLs to listen on (default: none;
     *   peers of other transports only)
     * @param {string} [o.stateFile] load the table from it now, save it 200 ms
     *   after a change and on close()
     * @param {number} [o.maxFrame] bytes (default 16 MiB)
     * @param {number} [o.heartbeat] ms (default 1000)
     * @param {number} [o.stats] ms: publish the $hub/ figures (default 0: off)
     * @param {number} [o.saveDelay] ms between a change and its saving (200)
     * @param {(level: number, message: string) => void} [o.log] log lines
     *   from the very start (those of loading the state file included)
     * @param {object} [o.env] where to look for libnanostate (process.env)
     * @throws {LibraryNotFoundError} libnanostate or koffi cannot be loaded
     * @throws {NanostateError} an option, the state file or a bind failed
     */
    constructor(o = {}) {
        super();
        const { koffi, c, types } = load(o.env);
        this.#koffi = koffi;
        this.#c = c;
        this.#types = types;
        const out = [null];
        check(c, c.nanostate_hub_create(out), 'cannot create the hub');
        this.#hub = out[0];
        if (o.log)
            this.on('log', o.log);
        this.#register('nanostate_log_fn', (user, level, message) => this.#queued.push(['log', level, message]),
            (fn) => c.nanostate_hub_on_log(this.#hub, fn, null));
        try {
            for (const [key, option] of Object.entries(OPTIONS)) {
                if (o[key] !== undefined && o[key] !== null)
                    check(c, c.nanostate_hub_set_int_option(this.#hub, option, o[key]), `${key} ${o[key]}`);
            }
            if (o.stateFile) {
                check(c, c.nanostate_hub_set_string_option(this.#hub, OPT_STATE_FILE, o.stateFile), o.stateFile);
                this.#call(() => check(c, c.nanostate_hub_load(this.#hub), `cannot load state file ${o.stateFile}`));
            }
            for (const url of o.binds ?? [])
                this.bind(url);
        } catch (err) {
            this.#flush();
            this.close();
            throw err;
        }
        this.#watcher = new FdWatcher(koffi, c.nanostate_hub_fd(this.#hub),
            () => this.#call(() => c.nanostate_hub_dispatch(this.#hub)),
            (err) => {
                this.#queued.push(['error', err]);
                this.#flush();
            });
        this.#arm();
    }

    // --- Life cycle ---------------------------------------------------------

    /** Listens on one more nanomsg endpoint (tcp://, ipc://, ws://). */
    bind(url) {
        check(this.#c, this.#c.nanostate_hub_bind(this.#handle(), url), `cannot bind ${url}`);
        this.#arm();
    }

    /** Writes the state file now. */
    save() {
        check(this.#c, this.#c.nanostate_hub_save(this.#handle()), 'cannot save the state file');
    }

    /** Saves the state file (if any), closes every endpoint and peer, frees
     * the engine. Closing twice is fine; from inside an output callback it
     * happens when the engine call returns. */
    close() {
        if (!this.#hub)
            return;
        if (this.#inEngine) {
            this.#closeRequested = true;
            return;
        }
        this.#watcher?.close(); // first: the fd goes with the engine
        clearTimeout(this.#timer);
        this.#c.nanostate_hub_close(this.#hub);
        this.#hub = null;
        for (const callback of this.#callbacks)
            this.#koffi.unregister(callback);
        this.#callbacks = [];
    }

    get closed() {
        return this.#hub === null;
    }

    // --- The table ------------------------------------------------------------

    /** Number of states in the table. */
    get size() {
        return Number(this.#c.nanostate_hub_count(this.#handle()));
    }

    /** One state ({name, value, packed, sender, version, updates,
     * changedMs}), or undefined. */
    get(name) {
        const out = {};
        const rc = this.#c.nanostate_hub_get(this.#handle(), name, out);
        if (rc === ENOTFOUND)
            return undefined;
        check(this.#c, rc, name);
        return this.#state(out);
    }

    /** Every state of the table, in no particular order. */
    states() {
        const all = [];
        const fn = this.#koffi.register((user, pointer) => {
            all.push(this.#state(this.#koffi.decode(pointer, this.#types.state)));
        }, 'nanostate_hub_state_fn *');
        try {
            this.#c.nanostate_hub_foreach(this.#handle(), fn, null);
        } finally {
            this.#koffi.unregister(fn);
        }
        return all;
    }

    /** Sets a state as the hub itself (sender "$hub"); '$' names allowed. */
    set(name, value) {
        const packed = encodeValue(value);
        this.#call(() => check(this.#c, this.#c.nanostate_hub_set_packed(this.#handle(), name, packed, packed.length), name));
    }

    remove(name) {
        this.#call(() => check(this.#c, this.#c.nanostate_hub_remove(this.#handle(), name), name));
    }

    /** The engine's counters: framesIn, framesOut, updates, rejected,
     * outOfOrder, snapshots, sessions, states, seq, epoch (a BigInt when
     * beyond 2^53), peers, connections, batchesOut (BATCH messages over
     * nanomsg), peerBatchesOut (BATCH messages to peers). */
    get stats() {
        const hub = this.#handle();
        return Object.fromEntries(STATS.map((key, i) => [key, this.#c.nanostate_hub_stat(hub, i + 1)]));
    }

    /** 'change' events (state as get() gives it, removed: true without a
     * value) cost a copy of every value: the engine is asked for them from
     * the first 'change' listener on. */
    on(event, fn) {
        const off = super.on(event, fn);
        if (event === 'change' && !this.#changeCallback && this.#hub) {
            this.#changeCallback = this.#register('nanostate_hub_state_fn', (user, pointer) => {
                this.#queued.push(['change', this.#state(this.#koffi.decode(pointer, this.#types.state))]);
            }, (callback) => this.#c.nanostate_hub_on_change(this.#hub, callback, null));
        }
        return off;
    }

    // --- Peers of other transports (WebSockets) ------------------------------

    /**
     * fn(frame, to, except) for every frame meant for peers: to one peer
     * (`to`), or to every peer but `except` (to = 0; except 0: none) that is
     * not paused. `frame` is a Buffer of its own. fn runs inside the engine
     * call: it may send and pause peers, nothing else (null: off).
     */
    onOutput(fn) {
        const previous = this.#outputCallback;
        this.#outputCallback = null;
        if (fn) {
            this.#outputCallback = this.#register('nanostate_hub_output_fn', (user, pointer) => {
                const out = this.#koffi.decode(pointer, this.#types.output);
                try {
                    fn(bytesAt(this.#koffi, out.frame, out.size), Number(out.to), Number(out.except));
                } catch (err) {
                    this.#queued.push(['error', err]);
                }
            }, (callback) => this.#c.nanostate_hub_on_output(this.#handle(), callback, null));
        } else {
            this.#c.nanostate_hub_on_output(this.#handle(), null, null);
        }
        if (previous) { // only once the engine holds the new one
            this.#koffi.unregister(previous);
            this.#callbacks = this.#callbacks.filter((callback) => callback !== previous);
        }
    }

    /** Registers a peer; returns its id (a Number, never 0). */
    peerAdd() {
        const id = new BigUint64Array(1);
        check(this.#c, this.#c.nanostate_hub_peer_add(this.#handle(), id), 'cannot add a peer');
        return Number(id[0]);
    }

    /** Feeds one frame from a peer. Returns null, or the code it was rejected
     * for ('EPROTO', 'ENAME', 'EVALUE', 'ETOOBIG'); the peer may go on. */
    peerInput(peer, frame) {
        const rc = this.#call(() => this.#c.nanostate_hub_peer_input(this.#handle(), peer, frame, frame.length));
        return rc === 0 ? null : (ERROR_CODES[rc] ?? `E${rc}`);
    }

    /** No broadcasts for the peer until peerResume(); callable from an
     * output callback. */
    peerPause(peer) {
        check(this.#c, this.#c.nanostate_hub_peer_pause(this.#handle(), peer), `peer ${peer}`);
    }

    /** The peer gets a heartbeat and pulls what it missed. */
    peerResume(peer) {
        this.#call(() => check(this.#c, this.#c.nanostate_hub_peer_resume(this.#handle(), peer), `peer ${peer}`));
    }

    peerRemove(peer) {
        this.#call(() => check(this.#c, this.#c.nanostate_hub_peer_remove(this.#handle(), peer), `peer ${peer}`));
    }

    /** The identity the peer last sent, or null. */
    peerIdentity(peer) {
        return this.#c.nanostate_hub_peer_identity(this.#handle(), peer);
    }

    // --- Inside -----------------------------------------------------------------

    #handle() {
        if (!this.#hub)
            throw new NanostateError('ECLOSED', 'the hub is closed');
        return this.#hub;
    }

    // Registers a koffi callback of C type `proto` and hands it to `install`.
    #register(proto, fn, install) {
        const callback = this.#koffi.register(fn, `${proto} *`);
        this.#callbacks.push(callback);
        install(callback);
        return callback;
    }

    // Runs an engine call, then what must follow every one: queued events
    // out, the timer re-armed, a close() asked for meanwhile.
    #call(fn) {
        this.#inEngine++;
        let result;
        try {
            result = fn();
        } finally {
            this.#inEngine--;
        }
        if (this.#inEngine === 0) {
            if (this.#closeRequested)
                this.close();
            else
                this.#arm();
            this.#flush();
        }
        return result;
    }

    #flush() {
        while (this.#queued.length) {
            const batch = this.#queued;
            this.#queued = [];
            for (const [event, ...args] of batch) {
                // An error nobody listens to must not pass unseen.
                if (!this.emit(event, ...args) && event === 'error')
                    console.error('nanostate Hub:', args[0]);
            }
        }
    }

    // A timer for the engine's own work (heartbeats, saving, figures). It is
    // only moved earlier: firing early just dispatches and re-arms.
    #arm() {
        if (!this.#hub)
            return;
        const ms = this.#c.nanostate_hub_timeout(this.#hub);
        if (ms < 0)
            return;
        const due = Date.now() + ms;
        if (this.#timer && due >= this.#timerDue)
            return;
        clearTimeout(this.#timer);
        this.#timerDue = due;
        this.#timer = setTimeout(() => {
            this.#timer = null;
            this.#timerDue = Infinity;
            this.#call(() => this.#c.nanostate_hub_dispatch(this.#hub));
        }, ms);
    }

    #state(s) {
        const packed = bytesAt(this.#koffi, s.value.packed, s.value.size);
        const state = {
            name: this.#koffi.decode(s.name, 'char', s.name_len),
            value: s.value.size ? decodeValue(packed) : undefined,
            packed,
            sender: s.sender,
            version: s.version,
            updates: s.updates,
            changedMs: Number(s.changed_ms),
        };
        if (!s.value.size)
            state.removed = true;
        return state;
    }
}
