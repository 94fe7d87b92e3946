// SPDX-License-Identifier: MIT
// value.js - JavaScript values <-> msgpack bytes, the mapping every JS App of
// Nanostate uses. Encoding and decoding are @msgpack/msgpack's; this module
// only chooses its options and fills three gaps (see the README's table):
//
//   - integers: a Number that is an integer within +-(2^53 - 1) goes as the
//     smallest msgpack int (5.0 is sent as int 5, -0 as 0); any other Number
//     as float64. A BigInt goes as the smallest int too (uint64/int64 beyond
//     32 bits; RangeError outside -2^63 .. 2^64-1). On decoding, an int is a
//     Number when it is a safe integer and a BigInt only when it is not.
//   - Map objects are sent as msgpack maps with keys of any type.
//   - Packed wraps bytes that are already msgpack: they are sent as they are.
//
// Decoding gives plain objects for maps: a key that is not a string becomes
// its JSON-like text (1 -> "1", true -> "true", [1,2] -> "[1,2]"), as in
// the Qt mapping. A value the library cannot turn into JS (a map with the key
// "__proto__", a timestamp of a length other than 4, 8 or 12) comes back as
// a Packed holding its bytes, so nothing is lost.

import { Decoder, Encoder, ExtData } from '@msgpack/msgpack';

export { ExtData };

const U32 = 2 ** 32;
const I32_MIN = -(2 ** 31);
const U64_MAX = (1n << 64n) - 1n;
const I64_MIN = -(1n << 63n);
const SAFE_MAX = BigInt(Number.MAX_SAFE_INTEGER);

/** Bytes that already hold one msgpack object; set() sends them unchanged. */
export class Packed {
    /** @param {Uint8Array} bytes one complete msgpack object (not copied) */
    constructor(bytes) {
        if (!(bytes instanceof Uint8Array))
            throw new TypeError('Packed needs a Uint8Array');
        this.bytes = bytes;
    }
}

function jsonLike(key) {
    if (key instanceof Uint8Array)
        return JSON.stringify({ base64: toBase64(key) });
    return JSON.stringify(key, (k, v) => {
        if (typeof v === 'bigint')
            return v.toString();
        if (v instanceof Uint8Array)
            return { base64: toBase64(v) };
        return v;
    }) ?? String(key);
}

export function toBase64(bytes) {
    let s = '';
    for (let i = 0; i < bytes.length; i += 0x8000)
        s += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
    return btoa(s);
}

class ValueEncoder extends Encoder {
    constructor() {
        super({ useBigInt64: true });
    }

    // The library sends safe integers beyond 32 bits as floats when
    // useBigInt64 is on: send them as 64-bit ints, like a C App.
    encodeNumber(n) {
        if (Number.isSafeInteger(n) && (n >= U32 || n < I32_MIN))
            this.encodeBigInt64(BigInt(n));
        else
            super.encodeNumber(n);
    }

    encodeBigInt64(n) {
        if (n > U64_MAX || n < I64_MIN)
            throw new RangeError(`integer ${n} does not fit in 64 bits`);
        if (n <= SAFE_MAX && n >= -SAFE_MAX && n < BigInt(U32) && n >= BigInt(I32_MIN))
            super.encodeNumber(Number(n)); // smallest encoding
        else
            super.encodeBigInt64(n);
    }

    encodeObject(object, depth) {
        if (object instanceof Packed) {
            this.ensureBufferSizeToWrite(object.bytes.length);
            this.writeU8a(object.bytes);
        } else if (object instanceof Map) {
            this.encodeMapObject(object, depth);
        } else {
            super.encodeObject(object, depth);
        }
    }

    encodeMapObject(map, depth) {
        const size = map.size;
        if (size < 16) {
            this.writeU8(0x80 + size);
        } else if (size < 0x10000) {
            this.writeU8(0xde);
            this.writeU16(size);
        } else {
            this.writeU8(0xdf);
            this.writeU32(size);
        }
        for (const [k, v] of map) {
            this.doEncode(k, depth + 1);
            this.doEncode(v, depth + 1);
        }
    }
}

class ValueDecoder extends Decoder {
    constructor() {
        super({ mapKeyConverter: (key) => (typeof key === 'string' ? key : typeof key === 'number' ? key : jsonLike(key)) });
    }

    // A Number when it is exact, else a BigInt.
    readU64() {
        const v = this.readU64AsBigInt();
        return v <= SAFE_MAX ? Number(v) : v;
    }

    readI64() {
        const v = this.readI64AsBigInt();
        return v <= SAFE_MAX && v >= -SAFE_MAX ? Number(v) : v;
    }
}

const encoder = new ValueEncoder();
const decoder = new ValueDecoder();

/**
 * The msgpack bytes of a value (a fresh Uint8Array).
 * @throws {TypeError|RangeError} for a type with no msgpack mapping
 */
export function encodeValue(value) {
    if (value instanceof Packed)
        return value.bytes;
    if (value === undefined)
        throw new TypeError('undefined is not a value: use null, or remove()');
    try {
        return encoder.encode(value); // encode() copies out of its buffer
    } catch (err) {
        if (err instanceof RangeError)
            throw err;
        throw new TypeError(`cannot send this value: ${err.message}`);
    }
}

/** The value of msgpack bytes that hold one well-formed object. */
export function decodeValue(bytes) {
    try {
        return decoder.decode(bytes);
    } catch {
        return new Packed(bytes);
    }
}

/** The name of a value's msgpack type, for displays: "int", "str", ... */
export function typeOf(value) {
    if (value === null || value === undefined)
        return 'nil';
    switch (typeof value) {
    case 'boolean': return 'bool';
    case 'number': return Number.isInteger(value) ? 'int' : 'float';
    case 'bigint': return 'int';
    case 'string': return 'str';
    default: break;
    }
    if (value instanceof Uint8Array)
        return 'bin';
    if (Array.isArray(value))
        return 'array';
    if (value instanceof Date)
        return 'timestamp';
    if (value instanceof ExtData)
        return 'ext';
    if (value instanceof Packed)
        return 'packed';
    return 'map';
}
