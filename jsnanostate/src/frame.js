// SPDX-License-Identifier: MIT
// frame.js - the wire frames of docs/PROTOCOL.md: checking, reading, building.
//
// A frame is one msgpack array [sender, name, data, op, fields...]. Reading
// walks the msgpack headers to find where each element starts and ends (the
// value must stay the exact bytes the writer sent, and section 5 asks for a
// nesting limit); the strings and values themselves are decoded elsewhere.
// Building encodes with @msgpack/msgpack through value.js.

import { encodeValue, Packed } from './value.js';

export const OP_LEGACY = 0;
export const OP_SET = 1;
export const OP_DEL = 2;
export const OP_SYNC = 3;
export const OP_SNAPSHOT = 4;
export const OP_HEARTBEAT = 5;
export const OP_ACK = 6;
export const OP_PING = 7;
export const OP_HELLO = 8;
export const OP_BATCH = 9;
export const OP_MASK = 0x0f;
export const FLAG_REBASE = 0x10;
export const FEATURE_BATCH = 1;
export const SNAP_FULL = 1;
export const SNAP_MORE = 2;
export const HUB_SENDER = '$hub';
export const MAX_NAME = 1024;
export const MAX_IDENTITY = 1024;
export const MAX_DEPTH = 64;

/** Elements of each op's frame (receivers accept more). */
const MIN_COUNT = { 1: 6, 2: 6, 3: 7, 4: 12, 5: 8, 6: 8, 7: 6, 8: 6, 9: 5 };
const LEN_UPDATE_OUT = 7;

const EMPTY_BIN = new Uint8Array([0xc4, 0x00]);

/** A frame that breaks the rules of PROTOCOL.md section 5. */
export class FrameError extends Error {
    /** @param {'EPROTO'|'ENAME'|'EVALUE'} code */
    constructor(code, reason) {
        super(`${code}: ${reason}`);
        this.name = 'FrameError';
        this.code = code;
    }
}

function fail(code, reason) {
    throw new FrameError(code, reason);
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const utf8Encoder = new TextEncoder();

// --- the msgpack walker ---------------------------------------------------

const T_UINT = 1, T_INT = 2, T_NIL = 3, T_BOOL = 4, T_FLOAT = 5, T_STR = 6, T_BIN = 7,
    T_EXT = 8, T_ARRAY = 9, T_MAP = 10;

/** A cursor over the bytes of one frame. */
class Cursor {
    constructor(bytes) {
        this.b = bytes;
        this.p = 0;
        this.end = bytes.length;
        this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    }

    left() {
        return this.end - this.p;
    }

    // The head at the cursor: {type, len (head bytes), n (payload bytes, or
    // items of a container)}, or null when truncated or the byte c1.
    head() {
        const left = this.left();
        if (left <= 0)
            return null;
        const b = this.b[this.p];
        const v = this.view;
        const p = this.p;
        if (b <= 0x7f) return { type: T_UINT, len: 1, n: 0 };
        if (b >= 0xe0) return { type: T_INT, len: 1, n: 0 };
        if ((b & 0xf0) === 0x80) return { type: T_MAP, len: 1, n: b & 0x0f };
        if ((b & 0xf0) === 0x90) return { type: T_ARRAY, len: 1, n: b & 0x0f };
        if ((b & 0xe0) === 0xa0) return { type: T_STR, len: 1, n: b & 0x1f };
        const fixed = (type, n) => (left >= 1 + n ? { type, len: 1, n } : null);
        const sized = (type, lb) => {
            if (left < 1 + lb)
                return null;
            const n = lb === 1 ? v.getUint8(p + 1) : lb === 2 ? v.getUint16(p + 1) : v.getUint32(p + 1);
            return { type, len: 1 + lb, n };
        };
        const ext = (lb, n) => {
            if (lb === 0)
                return left >= 2 ? { type: T_EXT, len: 2, n } : null;
            const h = sized(T_EXT, lb);
            if (!h || left < h.len + 1)
                return null;
            h.len += 1;
            return h;
        };
        switch (b) {
        case 0xc0: return { type: T_NIL, len: 1, n: 0 };
        case 0xc2: case 0xc3: return { type: T_BOOL, len: 1, n: 0 };
        case 0xc4: return sized(T_BIN, 1);
        case 0xc5: return sized(T_BIN, 2);
        case 0xc6: return sized(T_BIN, 4);
        case 0xc7: return ext(1);
        case 0xc8: return ext(2);
        case 0xc9: return ext(4);
        case 0xca: return fixed(T_FLOAT, 4);
        case 0xcb: return fixed(T_FLOAT, 8);
        case 0xcc: return fixed(T_UINT, 1);
        case 0xcd: return fixed(T_UINT, 2);
        case 0xce: return fixed(T_UINT, 4);
        case 0xcf: return fixed(T_UINT, 8);
        case 0xd0: return fixed(T_INT, 1);
        case 0xd1: return fixed(T_INT, 2);
        case 0xd2: return fixed(T_INT, 4);
        case 0xd3: return fixed(T_INT, 8);
        case 0xd4: return ext(0, 1);
        case 0xd5: return ext(0, 2);
        case 0xd6: return ext(0, 4);
        case 0xd7: return ext(0, 8);
        case 0xd8: return ext(0, 16);
        case 0xd9: return sized(T_STR, 1);
        case 0xda: return sized(T_STR, 2);
        case 0xdb: return sized(T_STR, 4);
        case 0xdc: return sized(T_ARRAY, 2);
        case 0xdd: return sized(T_ARRAY, 4);
        case 0xde: return sized(T_MAP, 2);
        case 0xdf: return sized(T_MAP, 4);
        default: return null; // 0xc1 is never used
        }
    }

    /** Moves past one well-formed object nested at most maxDepth deep;
     * returns its bytes, or null (cursor unmoved) when it is not sound. */
    skip(maxDepth) {
        const start = this.p;
        const pending = [1];
        let p = this.p;
        while (pending.length > 0) {
            const top = pending.length - 1;
            if (pending[top] === 0) {
                pending.pop();
                continue;
            }
            pending[top]--;
            this.p = p;
            const h = this.head();
            if (!h) {
                this.p = start;
                return null;
            }
            const left = this.end - p - h.len;
            if (h.type === T_ARRAY || h.type === T_MAP) {
                const items = h.type === T_MAP ? h.n * 2 : h.n;
                // Each object takes a byte at least: refuse impossible counts.
                if (items > left || pending.length > maxDepth) {
                    this.p = start;
                    return null;
                }
                p += h.len;
                if (items > 0)
                    pending.push(items);
                continue;
            }
            const payload = h.type === T_UINT || h.type === T_INT ? (h.len === 1 && h.n > 0 ? h.n : 0) : h.n;
            if (payload > left) {
                this.p = start;
                return null;
            }
            p += h.len + payload;
        }
        this.p = p;
        return this.b.subarray(start, p);
    }

    /** An array header: its element count, or null. */
    array() {
        const h = this.head();
        if (!h || h.type !== T_ARRAY)
            return null;
        this.p += h.len;
        return h.n;
    }

    /** A str: its bytes, or null. */
    strBytes() {
        const h = this.head();
        if (!h || h.type !== T_STR || h.n > this.left() - h.len)
            return null;
        const s = this.b.subarray(this.p + h.len, this.p + h.len + h.n);
        this.p += h.len + h.n;
        return s;
    }

    /** An unsigned integer (a non-negative signed encoding too): a BigInt, or null. */
    uint() {
        const h = this.head();
        if (!h || (h.type !== T_UINT && h.type !== T_INT))
            return null;
        const b = this.b[this.p];
        const v = this.view;
        const q = this.p + 1;
        let x;
        if (b <= 0x7f) x = BigInt(b);
        else if (b >= 0xe0) return null; // negative fixint
        else {
            switch (b) {
            case 0xcc: x = BigInt(v.getUint8(q)); break;
            case 0xcd: x = BigInt(v.getUint16(q)); break;
            case 0xce: x = BigInt(v.getUint32(q)); break;
            case 0xcf: x = v.getBigUint64(q); break;
            case 0xd0: x = BigInt(v.getInt8(q)); break;
            case 0xd1: x = BigInt(v.getInt16(q)); break;
            case 0xd2: x = BigInt(v.getInt32(q)); break;
            default: x = v.getBigInt64(q); break;
            }
            if (x < 0n)
                return null;
        }
        this.p += h.len + (b <= 0x7f ? 0 : h.n);
        return x;
    }
}

// --- reading --------------------------------------------------------------

/** Well-formed UTF-8 without U+0000 (C Apps read names NUL-terminated)
 * of a length within limits, else null. */
function text(bytes, min, max) {
    if (bytes.length < min || bytes.length > max || bytes.includes(0))
        return null;
    try {
        return utf8.decode(bytes);
    } catch {
        return null;
    }
}

// A counter as a Number when exact, else a BigInt; session and epoch are
// always BigInts (random 64-bit numbers).
function counter(x) {
    return x <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(x) : x;
}

function readFields(c, names, out) {
    for (const name of names) {
        const x = c.uint();
        if (x === null)
            fail('EPROTO', `field ${name} is not an unsigned integer`);
        out[name] = name === 'session' || name === 'epoch' ? x : counter(x);
    }
}

function readEntry(c) {
    const n = c.array();
    if (n === null || (n !== 2 && n < 5))
        fail('EPROTO', 'snapshot entry is not [name, seq] or [name, seq, sender, session, value]');
    const nameBytes = c.strBytes();
    const name = nameBytes && text(nameBytes, 1, MAX_NAME);
    if (name === null || name === '')
        fail('ENAME', 'snapshot entry name is invalid');
    const seq = c.uint();
    if (seq === null)
        fail('EPROTO', 'snapshot entry seq is not an unsigned integer');
    if (n === 2)
        return { name, seq: counter(seq), removed: true };
    const senderBytes = c.strBytes();
    const sender = senderBytes && text(senderBytes, 0, MAX_IDENTITY);
    if (sender === null)
        fail('ENAME', 'snapshot entry sender is invalid');
    const session = c.uint();
    if (session === null)
        fail('EPROTO', 'snapshot entry session is not an unsigned integer');
    const value = c.skip(MAX_DEPTH);
    if (!value)
        fail('EVALUE', 'snapshot entry value is malformed');
    for (let i = 5; i < n; i++)
        if (!c.skip(MAX_DEPTH))
            fail('EPROTO', 'snapshot entry trailing field is malformed');
    return { name, seq: counter(seq), removed: false, sender, session, value };
}

/**
 * Checks a whole frame and returns its fields:
 * {count, op, rebase, sender, name, value (the packed bytes of element 2, a
 * view into `bytes`), and per op session, aseq, seq, epoch, since, upto,
 * snapFlags, hwm, trigger, periodMs, maxFrame, features, census, entries,
 * frames (a BATCH's frames: views into `bytes`, each to parse on its own)}.
 * Entries are {name, seq, removed, sender, session, value (packed)}.
 * @param {Uint8Array} bytes
 * @throws {FrameError} with code EPROTO, ENAME or EVALUE
 */
export function parseFrame(bytes) {
    const c = new Cursor(bytes);
    const count = c.array();
    if (count === null)
        fail('EPROTO', 'frame is not a msgpack array');
    if (count < 3)
        fail('EPROTO', 'frame has fewer than 3 elements');
    const f = { count, op: OP_LEGACY, rebase: false };
    const senderBytes = c.strBytes();
    if (senderBytes === null)
        fail('EPROTO', 'sender is not a string');
    f.sender = text(senderBytes, 0, MAX_IDENTITY);
    if (f.sender === null)
        fail('ENAME', 'sender is not UTF-8 of at most 1024 bytes without U+0000');
    const nameBytes = c.strBytes();
    if (nameBytes === null)
        fail('EPROTO', 'name is not a string');
    f.value = c.skip(MAX_DEPTH);
    if (!f.value)
        fail('EVALUE', 'value is malformed msgpack or nested deeper than 64');
    if (count > 3) {
        const op = c.uint();
        if (op === null || op > 0xffn)
            fail('EPROTO', 'op is not a small unsigned integer');
        const o = Number(op);
        f.op = o & OP_MASK;
        f.rebase = (o & FLAG_REBASE) !== 0;
        const need = MIN_COUNT[f.op];
        if (need === undefined || (o & ~(OP_MASK | FLAG_REBASE)))
            fail('EPROTO', 'unknown op');
        if (count < need)
            fail('EPROTO', 'too few fields for the op');
    }
    const isUpdate = f.op === OP_LEGACY || f.op === OP_SET || f.op === OP_DEL;
    if (isUpdate) {
        f.name = text(nameBytes, 1, MAX_NAME);
        if (f.name === null)
            fail('ENAME', 'name is empty, longer than 1024 bytes or not UTF-8 without U+0000');
    } else if (nameBytes.length !== 0) {
        fail('EPROTO', 'control frame with a name');
    } else {
        f.name = '';
    }

    let known = 3;
    switch (f.op) {
    case OP_SET:
    case OP_DEL:
        readFields(c, ['session', 'aseq'], f);
        known = count >= LEN_UPDATE_OUT ? LEN_UPDATE_OUT : 6;
        f.seq = 0;
        if (count >= LEN_UPDATE_OUT)
            readFields(c, ['seq'], f);
        break;
    case OP_PING:
        readFields(c, ['session', 'aseq'], f);
        known = 6;
        break;
    case OP_SYNC:
        readFields(c, count >= 8 ? ['session', 'epoch', 'since', 'features'] : ['session', 'epoch', 'since'], f);
        known = count >= 8 ? 8 : 7;
        break;
    case OP_HELLO:
        readFields(c, ['session', 'features'], f);
        known = 6;
        break;
    case OP_BATCH:
        f.frames = [];
        for (let i = 4; i < count; i++) {
            if (c.head()?.type !== T_ARRAY)
                fail('EPROTO', 'batch element is not a frame');
            const one = c.skip(MAX_DEPTH + 1);
            if (!one)
                fail('EVALUE', 'batch element is malformed');
            f.frames.push(one);
        }
        known = count;
        break;
    case OP_SNAPSHOT: {
        readFields(c, ['session', 'epoch', 'since', 'upto', 'seq', 'snapFlags', 'hwm'], f);
        const n = c.array();
        if (n === null)
            fail('EPROTO', 'snapshot entries are not an array');
        const first = c.p;
        for (let i = 0; i < n; i++)
            if (!c.skip(MAX_DEPTH + 1))
                fail('EVALUE', 'snapshot entry is malformed');
        f.entryCount = n;
        f.entriesAt = first;
        known = 12;
        break;
    }
    case OP_HEARTBEAT:
        readFields(c, count >= 9 ? ['epoch', 'seq', 'periodMs', 'maxFrame', 'census'] : ['epoch', 'seq', 'periodMs', 'maxFrame'], f);
        known = count >= 9 ? 9 : 8;
        break;
    case OP_ACK:
        readFields(c, ['session', 'hwm', 'trigger', 'seq'], f);
        known = 8;
        break;
    default:
        break;
    }
    // Elements this version does not know are skipped, but must be sound.
    for (let i = known; i < count; i++)
        if (!c.skip(MAX_DEPTH))
            fail('EPROTO', 'trailing field is malformed');
    if (c.left() !== 0)
        fail('EPROTO', 'bytes after the end of the frame');
    if (f.op === OP_SNAPSHOT) {
        const e = new Cursor(bytes);
        e.p = f.entriesAt;
        f.entries = [];
        for (let i = 0; i < f.entryCount; i++)
            f.entries.push(readEntry(e));
        delete f.entriesAt;
        delete f.entryCount;
    }
    return f;
}

/** The packed object is one well-formed msgpack object nested at most 64 deep. */
export function validValue(bytes) {
    const c = new Cursor(bytes);
    return c.skip(MAX_DEPTH) !== null && c.left() === 0;
}

const TYPE_NAMES = {
    [T_UINT]: 'int', [T_INT]: 'int', [T_NIL]: 'nil', [T_BOOL]: 'bool', [T_FLOAT]: 'float',
    [T_STR]: 'str', [T_BIN]: 'bin', [T_EXT]: 'ext', [T_ARRAY]: 'array', [T_MAP]: 'map',
};

/** The msgpack type of packed bytes: nil, bool, int, float, str, bin,
 * array, map, timestamp or ext ('' if the bytes are not msgpack). */
export function packedType(bytes) {
    const h = new Cursor(bytes).head();
    if (!h)
        return '';
    if (h.type === T_EXT && bytes[h.len - 1] === 0xff)
        return 'timestamp'; // ext type -1
    return TYPE_NAMES[h.type];
}

/** Bytes of a str in UTF-8. */
export function utf8Bytes(s) {
    return utf8Encoder.encode(s);
}

// --- building -------------------------------------------------------------

/**
 * Builds a frame: [sender, name, value, op, ...fields] with the smallest
 * encodings. value: packed bytes (null: the empty bin of DEL and control
 * frames); fields: unsigned integers (Number or BigInt); entries (SNAPSHOT
 * only): [name, seq] or [name, seq, sender, session, packedValue].
 */
export function buildFrame(sender, name, value, op, fields, entries) {
    const items = [sender, name, new Packed(value ?? EMPTY_BIN)];
    if (op !== OP_LEGACY)
        items.push(op, ...fields);
    if (entries)
        items.push(entries.map((e) => (e.length > 4 ? [e[0], e[1], e[2], e[3], new Packed(e[4])] : e)));
    return encodeValue(items);
}

/** SET or DEL as an App sends it: [sender, name, value, op, session, aseq]. */
export function buildUpdate(op, sender, name, value, session, aseq) {
    return buildFrame(sender, name, (op & OP_MASK) === OP_DEL ? null : value, op, [session, aseq]);
}

/** SYNC: [sender, "", b"", 3, session, epoch, since], and `features`
 * (FEATURE_*) as an 8th element when given. */
export function buildSync(sender, session, epoch, since, continuesFull = false, features) {
    // REBASE on a SYNC: "this asks for the next chunk of a FULL sync", so the
    // hub goes on from `since` (PROTOCOL.md 7.6).
    const op = OP_SYNC | (continuesFull ? FLAG_REBASE : 0);
    const fields = [session, epoch, since];
    if (features !== undefined)
        fields.push(features);
    return buildFrame(sender, '', null, op, fields);
}

/** HELLO: [sender, "", b"", 8, session, features]. */
export function buildHello(sender, session, features) {
    return buildFrame(sender, '', null, OP_HELLO, [session, features]);
}

/** BATCH: [sender, "", b"", 9, frame, frame, ...] of frames already built
 * (`bytes`: their total length); one frame is sent as it is instead. */
export function buildBatch(sender, frames, bytes) {
    if (frames.length === 1)
        return frames[0];
    // The head of a 4-element control frame, its array header widened.
    const head = buildFrame(sender, '', null, OP_BATCH, []).subarray(1);
    const n = 4 + frames.length;
    const arrayHead = n < 16 ? [0x90 | n] : n < 0x10000 ? [0xdc, n >> 8, n & 0xff]
        : [0xdd, n >>> 24, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff];
    const out = new Uint8Array(arrayHead.length + head.length + bytes);
    out.set(arrayHead, 0);
    out.set(head, arrayHead.length);
    let p = arrayHead.length + head.length;
    for (const f of frames) {
        out.set(f, p);
        p += f.length;
    }
    return out;
}

/** PING: [sender, "", b"", 7, session, aseq]. */
export function buildPing(sender, op, session, aseq) {
    return buildFrame(sender, '', null, op, [session, aseq]);
}
