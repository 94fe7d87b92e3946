// SPDX-License-Identifier: MIT
// The shared wire vectors (tests/vectors/frames.json) against frame.js and
// value.js: every frame parses to its fields or fails with its code, every
// canonical frame is rebuilt byte for byte, and every value decodes.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import test from 'node:test';
import { fileURLToPath } from 'node:url';

import { buildFrame, FrameError, OP_LEGACY, parseFrame } from '../src/frame.js';
import { decodeValue, encodeValue, ExtData, Packed } from '../src/value.js';

const here = dirname(fileURLToPath(import.meta.url));
const source = process.env.NANOSTATE_SOURCE ?? join(here, '..', '..');
const vectors = JSON.parse(readFileSync(join(source, 'tests', 'vectors', 'frames.json'), 'utf8'));

const fromHex = (hex) => Uint8Array.from(hex.match(/../g) ?? [], (h) => parseInt(h, 16));
const toHex = (bytes) => Buffer.from(bytes).toString('hex');
// Numeric fields are "number or decimal string".
const big = (x) => BigInt(x);

function checkFields(f, e) {
    assert.equal(f.count, e.count, 'count');
    assert.equal(f.op, e.op, 'op');
    assert.equal(f.rebase, e.rebase, 'rebase');
    assert.equal(f.sender, e.sender, 'sender');
    assert.equal(f.name, e.name, 'name');
    assert.equal(toHex(f.value), e.value_hex, 'value_hex');
    for (const key of ['session', 'aseq', 'seq', 'epoch', 'since', 'upto', 'hwm', 'trigger']) {
        if (key in e)
            assert.equal(big(f[key]), big(e[key]), key);
    }
    for (const key of ['features', 'census']) {
        if (key in e)
            assert.equal(big(f[key]), big(e[key]), key);
    }
    if ('frames' in e)
        assert.deepEqual(f.frames.map(toHex), e.frames, 'frames');
    const renamed = { snap_flags: 'snapFlags', period_ms: 'periodMs', max_frame: 'maxFrame' };
    for (const [key, mine] of Object.entries(renamed)) {
        if (key in e)
            assert.equal(big(f[mine]), big(e[key]), key);
    }
    if ('entries' in e) {
        assert.equal(f.entries.length, e.entries.length, 'entries');
        e.entries.forEach((x, i) => {
            const y = f.entries[i];
            assert.equal(y.name, x.name);
            assert.equal(big(y.seq), big(x.seq));
            assert.equal(y.removed, x.removed);
            if (!x.removed) {
                assert.equal(y.sender, x.sender);
                assert.equal(big(y.session), big(x.session));
                assert.equal(toHex(y.value), x.value_hex);
            }
        });
    }
}

// The fields of an op, in frame order, as buildFrame takes them.
const FIELDS = {
    1: (e) => (e.count === 7 ? [e.session, e.aseq, e.seq] : [e.session, e.aseq]),
    2: (e) => (e.count === 7 ? [e.session, e.aseq, e.seq] : [e.session, e.aseq]),
    3: (e) => (e.count === 8 ? [e.session, e.epoch, e.since, e.features] : [e.session, e.epoch, e.since]),
    4: (e) => [e.session, e.epoch, e.since, e.upto, e.seq, e.snap_flags, e.hwm],
    5: (e) => (e.count === 9 ? [e.epoch, e.seq, e.period_ms, e.max_frame, e.census] : [e.epoch, e.seq, e.period_ms, e.max_frame]),
    6: (e) => [e.session, e.hwm, e.trigger, e.seq],
    7: (e) => [e.session, e.aseq],
    8: (e) => [e.session, e.features],
};

function rebuild(e) {
    if (e.op === OP_LEGACY)
        return buildFrame(e.sender, e.name, fromHex(e.value_hex), OP_LEGACY, []);
    const fields = FIELDS[e.op](e).map(big);
    const op = e.op | (e.rebase ? 0x10 : 0);
    const entries = e.entries?.map((x) => (x.removed ? [x.name, big(x.seq)] : [x.name, big(x.seq), x.sender, big(x.session), fromHex(x.value_hex)]));
    const value = e.op === 1 || e.op === 2 ? fromHex(e.value_hex) : null;
    return buildFrame(e.sender, e.name, value, op, fields, entries);
}

// Values the JS mapping cannot give back byte for byte (named, with why).
const LOSSY_VALUES = new Map([
    ['value_float32', 'a float32 decodes to a Number, sent back as float64'],
    ['value_map_int_keys', 'map keys become strings'],
    ['value_timestamp', 'a Date holds milliseconds, not nanoseconds'],
    ['value_float64_for_1_5', 'canonical after a round trip, not the same bytes'],
    ['value_uint16_for_5', 'canonical after a round trip, not the same bytes'],
    ['value_array16_header', 'canonical after a round trip, not the same bytes'],
    ['value_str8_short', 'canonical after a round trip, not the same bytes'],
]);

for (const v of vectors) {
    test(`vector ${v.name}`, () => {
        const bytes = fromHex(v.hex);
        if (v.error) {
            assert.throws(() => parseFrame(bytes), (err) => err instanceof FrameError && err.code === v.error,
                `${v.name} must fail with ${v.error}`);
            return;
        }
        const f = parseFrame(bytes);
        checkFields(f, v.expect);
        // Every value decodes to a JS value (never the raw fallback).
        const values = [f.value, ...(f.entries ?? []).filter((x) => !x.removed).map((x) => x.value)];
        for (const packed of values) {
            const value = decodeValue(packed);
            assert.ok(!(value instanceof Packed), `${v.name}: value ${toHex(packed)} decodes`);
            if ((f.op === 1 || f.op === 0) && !LOSSY_VALUES.has(v.name) && v.canonical)
                assert.equal(toHex(encodeValue(value)), toHex(packed), `${v.name}: value re-encodes`);
        }
        if (v.canonical)
            assert.equal(toHex(rebuild(v.expect)), v.hex, `${v.name}: rebuilt`);
    });
}

test('value mapping: decoded types', () => {
    const d = (hex) => decodeValue(fromHex(hex));
    assert.equal(d('cfffffffffffffffff'), (1n << 64n) - 1n);
    assert.equal(d('d38000000000000000'), -(1n << 63n));
    assert.equal(d('cf001fffffffffffff'), Number.MAX_SAFE_INTEGER); // fits: a Number
    assert.equal(d('cf0020000000000000'), 2n ** 53n); // does not: a BigInt
    assert.deepEqual(d('8201a161ffa162'), { 1: 'a', '-1': 'b' });
    assert.deepEqual(d('81c3a178'), { true: 'x' });
    assert.ok(d('d605deadbeef') instanceof ExtData);
    assert.equal(d('d7ff0000001865937d25').toISOString(), '2024-01-02T03:04:05.000Z');
    assert.deepEqual(d('c40301 0203'.replace(' ', '')), new Uint8Array([1, 2, 3]));
    // A map the library refuses stays bytes.
    assert.ok(d('81a95f5f70726f746f5f5f01') instanceof Packed);
});

test('value mapping: encoded forms', () => {
    const e = (v) => toHex(encodeValue(v));
    assert.equal(e(5.0), '05');
    assert.equal(e(-0), '00');
    assert.equal(e(0.5), 'cb3fe0000000000000');
    assert.equal(e(2 ** 40), 'cf0000010000000000');
    assert.equal(e(-(2 ** 40)), 'd3ffffff0000000000');
    assert.equal(e(2 ** 53), 'cb4340000000000000'); // not a safe integer: float64
    assert.equal(e(5n), '05');
    assert.equal(e((1n << 64n) - 1n), 'cfffffffffffffffff');
    assert.equal(e(-(1n << 63n)), 'd38000000000000000');
    assert.throws(() => encodeValue(1n << 64n), RangeError);
    assert.equal(e(new Map([[1, 'a'], [true, null]])), '8201a161c3c0');
    assert.equal(e({ a: [1, 'x'] }), '81a161920 1a178'.replace(' ', ''));
    assert.equal(e(new Uint8Array([1, 2])), 'c4020102');
    assert.equal(e(new Date(Date.UTC(2024, 0, 2, 3, 4, 5))), 'd6ff65937d25');
    assert.equal(e(new Packed(fromHex('cd0005'))), 'cd0005');
    assert.throws(() => encodeValue(undefined), TypeError);
    assert.throws(() => encodeValue(() => 1), TypeError);
});

test('packedType names the msgpack type of packed bytes', async () => {
    const { packedType } = await import('../src/frame.js');
    const t = (hex) => packedType(fromHex(hex));
    assert.deepEqual(
        ['c0', 'c3', '05', 'ff', 'cfffffffffffffffff', 'cb3ff0000000000000', 'ca3f800000', 'a161', 'c400', '90', '80', 'd605deadbeef', 'd6ff65937d25', 'c1', ''].map(t),
        ['nil', 'bool', 'int', 'int', 'int', 'float', 'float', 'str', 'bin', 'array', 'map', 'ext', 'timestamp', '', '']);
});
