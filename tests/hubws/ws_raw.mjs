// SPDX-License-Identifier: MIT
// WebSocket at the byte level, for tests/hubws/ws_faults.mjs: a client
// handshake on a plain TCP socket (a client that then never reads, or drops
// the connection in the middle of a frame), masked client frames, a reader
// for the hub's frames, and frames the hub must reject (docs/PROTOCOL.md,
// section 5).

import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import net from 'node:net';

// jsnanostate's dependencies, from its node_modules.
const requireJs = createRequire(new URL('../../jsnanostate/package.json', import.meta.url));
const { encode } = requireJs('@msgpack/msgpack');
export const WebSocket = requireJs('ws');

/** The HTTP request head that asks `url` (ws://host:port/path) for an upgrade. */
export function upgradeHead(url) {
    const u = new URL(url);
    return `GET ${u.pathname}${u.search} HTTP/1.1\r\nHost: ${u.host}\r\nUpgrade: websocket\r\n`
        + `Connection: Upgrade\r\nSec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\n`
        + 'Sec-WebSocket-Version: 13\r\n\r\n';
}

/** A TCP connection to the host and port of `url`. */
export function connectTcp(url, timeoutMs = 5000) {
    const u = new URL(url);
    return new Promise((resolve, reject) => {
        const socket = net.connect({ host: u.hostname, port: Number(u.port) });
        const timer = setTimeout(() => {
            socket.destroy();
            reject(new Error(`no TCP connection to ${u.host} in ${timeoutMs} ms`));
        }, timeoutMs);
        socket.once('connect', () => {
            clearTimeout(timer);
            socket.removeAllListeners('error');
            resolve(socket);
        });
        socket.once('error', (err) => {
            clearTimeout(timer);
            reject(err);
        });
    });
}

/** Does the client handshake by hand: resolves {socket, rest} once the hub
 * answered 101 (rest: the bytes after the head, already frames). The socket
 * is then left alone: nobody reads it until the caller does. */
export async function upgrade(url, timeoutMs = 5000) {
    const socket = await connectTcp(url, timeoutMs);
    socket.on('error', () => {}); // the tests look at how the connection ended
    return new Promise((resolve, reject) => {
        let head = Buffer.alloc(0);
        const timer = setTimeout(() => fail(new Error(`no 101 in ${timeoutMs} ms`)), timeoutMs);
        const fail = (err) => {
            clearTimeout(timer);
            socket.removeListener('data', onData);
            socket.destroy();
            reject(err);
        };
        const onData = (chunk) => {
            head = Buffer.concat([head, chunk]);
            const end = head.indexOf('\r\n\r\n');
            if (end < 0)
                return;
            socket.pause();
            socket.removeListener('data', onData);
            clearTimeout(timer);
            const status = head.subarray(0, head.indexOf('\r\n')).toString();
            if (!/^HTTP\/1\.1 101 /.test(status)) {
                socket.destroy();
                reject(new Error(`upgrade refused: ${status}`));
                return;
            }
            resolve({ socket, rest: head.subarray(end + 4) });
        };
        socket.on('data', onData);
        socket.once('close', () => fail(new Error('closed during the handshake')));
        socket.write(upgradeHead(url));
    }).finally(() => socket.removeAllListeners('close'));
}

/** One client frame (FIN, masked) of `opcode` carrying `payload`; the header
 * announces the whole payload even when `cut` bytes of the frame are all
 * that is returned (a frame cut short). */
export function clientFrame(opcode, payload, cut = Infinity) {
    const size = payload.length;
    const lengthBytes = size <= 125 ? 0 : size <= 0xffff ? 2 : 8;
    const header = Buffer.alloc(2 + lengthBytes + 4);
    header[0] = 0x80 | opcode;
    if (lengthBytes === 0) {
        header[1] = 0x80 | size;
    } else if (lengthBytes === 2) {
        header[1] = 0x80 | 126;
        header.writeUInt16BE(size, 2);
    } else {
        header[1] = 0x80 | 127;
        header.writeBigUInt64BE(BigInt(size), 2);
    }
    const mask = randomBytes(4);
    mask.copy(header, 2 + lengthBytes);
    const body = Buffer.from(payload);
    for (let i = 0; i < body.length; i++)
        body[i] ^= mask[i & 3];
    return Buffer.concat([header, body]).subarray(0, cut);
}

/** Reads the hub's frames as they come on `socket` (resumed by this call):
 * resolves {bytes, frames, closeCode, end} when the connection ends, end
 * being 'eof', 'reset' (an error such as ECONNRESET) or 'timeout'. */
export function readUntilEnd(socket, rest, timeoutMs) {
    return new Promise((resolve) => {
        let buf = Buffer.from(rest);
        let bytes = buf.length;
        let frames = 0;
        let closeCode = null;
        let end = null;
        const parse = () => {
            for (;;) {
                if (buf.length < 2)
                    return;
                let size = buf[1] & 0x7f;
                let at = 2;
                if (size === 126) {
                    if (buf.length < 4)
                        return;
                    size = buf.readUInt16BE(2);
                    at = 4;
                } else if (size === 127) {
                    if (buf.length < 10)
                        return;
                    size = Number(buf.readBigUInt64BE(2));
                    at = 10;
                }
                if (buf.length < at + size)
                    return;
                frames++;
                if ((buf[0] & 0x0f) === 0x8 && size >= 2)
                    closeCode = buf.readUInt16BE(at);
                buf = buf.subarray(at + size);
            }
        };
        const finish = (how) => {
            end ??= how;
            clearTimeout(timer);
            socket.destroy();
            resolve({ bytes, frames, closeCode, end });
        };
        const timer = setTimeout(() => finish('timeout'), timeoutMs);
        socket.on('data', (chunk) => {
            bytes += chunk.length;
            buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
            parse();
        });
        socket.on('error', () => (end ??= 'reset'));
        socket.on('end', () => (end ??= 'eof'));
        socket.on('close', () => finish('eof'));
        parse();
        socket.resume();
    });
}

// --- frames the hub must reject ------------------------------------------

// Well-formed msgpack of the wrong shape or types: each breaks one rule of
// PROTOCOL.md section 5 (or a hub rule after it), so none can ever be applied.
const WRONG_TYPES = [
    {},                                                       // not an array
    ['garbage'],                                              // fewer than 3 elements
    [7, 'garbage/x', 1, 1, 1, 1],                             // sender not a str
    ['garbage', 5, 1, 1, 1, 1],                               // name not a str
    ['garbage', 'garbage/x', 1, 'one', 1, 1],                 // op not a uint
    ['garbage', 'garbage/x', 1, 0x11, -1, 1],                 // negative session
    ['garbage', 'garbage/x', 1, 0x11, 1.5, 1],                // float session
    ['garbage', 'garbage/x', 1, 0x11, 1],                     // too few fields for a SET
    ['garbage', 'garbage/x', 1, 0x31, 1, 1],                  // unknown flag bit
    ['garbage', 'garbage/x', 1, 9, 1, 1],                     // unknown op
    ['garbage', '', 1, 0x11, 1, 1],                           // empty name
    ['garbage', '$hub/rejected', 0, 0x11, 1, 1],              // a name of the hub's
    ['garbage', 'x', Uint8Array.of(), 3, 1, 0, 0],            // control frame with a name
    ['garbage', '', Uint8Array.of(), 5, 1, 1, 1000, 65536],   // a HEARTBEAT from an App
    ['garbage', '', Uint8Array.of(), 6, 1, 1, 1, 0],          // an ACK from an App
];

// A first byte that does not start a msgpack array.
function notArrayByte() {
    for (;;) {
        const b = randomBytes(1)[0];
        if (!((b >= 0x90 && b <= 0x9f) || b === 0xdc || b === 0xdd))
            return b;
    }
}

/** `count` binary frames the hub must reject, one kind after the other:
 * random bytes, truncated msgpack (a valid SET cut short), wrong types, and
 * a valid frame with bytes after it. Returns [{kind, bytes}]. */
export function garbageFrames(count) {
    const frames = [];
    for (let i = 0; frames.length < count; i++) {
        switch (i % 4) {
        case 0: {
            const bytes = randomBytes(1 + (i % 64));
            bytes[0] = notArrayByte();
            frames.push({ kind: 'random', bytes });
            break;
        }
        case 1: {
            const set = encode(['garbage', `garbage/t${i % 97}`, 'v'.repeat(i % 40), 0x11, 1 + (i % 1000), 1]);
            frames.push({ kind: 'truncated', bytes: set.subarray(0, 1 + (i % (set.length - 1))) });
            break;
        }
        case 2:
            frames.push({ kind: 'wrong-types', bytes: encode(WRONG_TYPES[(i >> 2) % WRONG_TYPES.length]) });
            break;
        default: {
            const set = encode(['garbage', `garbage/trail${i % 89}`, i, 0x11, 1 + i, 1]);
            frames.push({ kind: 'trailing', bytes: Buffer.concat([set, Buffer.from([0xc0])]) });
            break;
        }
        }
    }
    return frames;
}
