// SPDX-License-Identifier: MIT
// A subscriber process of the WebSocket fan-out bench (forked by
// fanout.mjs): node subscriber.mjs KIND SYSTEM URL FIRST COUNT
//
// Opens COUNT clients of KIND (raw or lib: raw-clients.mjs, lib-clients.mjs)
// and counts the updates each receives. Talks to its parent over the IPC
// channel:
//   -> {type: 'ready'}            every client heard bench/warm
//   <- {type: 'start'}            counting starts now (counters reset)
//   -> {type: 'started'}
//   <- {type: 'final', seq, waitMs} the publisher's final value of each name
//   -> {type: 'result', subs, cpuMs}
// after waiting for each client's table to match the final one (at most
// waitMs, or 0.5 s without traffic), as nanostate-bench-fanout's
// subscribers do (with 2 s). Exits when done or when the parent goes away.

const KEYS = 16;
const QUIET_MS = 500;
const OPEN_BATCH = 50; // clients connecting at once

const [kind, system, url, firstArg, countArg] = process.argv.slice(2);
const { open: opens } = await import(kind === 'lib' ? './lib-clients.mjs' : './raw-clients.mjs');
const open = opens[system];
const first = Number(firstArg);
const count = Number(countArg);

function nowMs() {
    return performance.timeOrigin + performance.now();
}

function cpuMs(since) {
    const u = process.cpuUsage(since);
    return (u.user + u.system) / 1000;
}

function send(msg) {
    if (process.connected)
        process.send(msg);
}

process.on('disconnect', () => process.exit(0)); // never outlive the bench

const subs = [];
let warmCount = 0;
let lastAny = 0; // last update received by any client
let readySent = false;

function onMessage(s, name, value) {
    if (name === 'bench/warm') {
        if (!s.warm) {
            s.warm = true;
            if (++warmCount === count && !readySent) {
                readySent = true;
                send({ type: 'ready' });
            }
        }
        return;
    }
    if (!name.startsWith('bench/k') || value.length < 8)
        return;
    const k = Number(name.slice(7));
    if (!(k >= 0 && k < KEYS))
        return;
    const v = new DataView(value.buffer, value.byteOffset, 8);
    s.seq[k] = v.getUint32(0, true) + v.getUint32(4, true) * 2 ** 32;
    s.received++;
    s.last = lastAny = nowMs();
}

function lostOf(s, final) {
    let lost = 0;
    for (let k = 0; k < KEYS; k++)
        lost += s.seq[k] !== final[k] ? 1 : 0;
    return lost;
}

async function openAll() {
    for (let i = 0; i < count; i += OPEN_BATCH) {
        const batch = [];
        for (let j = i; j < Math.min(count, i + OPEN_BATCH); j++) {
            const s = { seq: new Array(KEYS).fill(0), received: 0, last: 0, warm: false, conn: null, result: null };
            subs.push(s);
            batch.push(open(url, `bench-sub-${process.pid}-${first + j}`, (n, v) => onMessage(s, n, v))
                .then((c) => { s.conn = c; }));
        }
        await Promise.all(batch);
    }
}

// Each client's figures are taken when it is done: its table matches,
// waitMs passed, or 0.5 s passed without traffic to any client of this
// process (counted from the start of the wait at the earliest: with many
// clients a server serves each in turn, so one client's pause says little).
function waitFinal(final, waitMs) {
    const begin = nowMs();
    const deadline = begin + waitMs;
    return new Promise((resolve) => {
        const check = () => {
            const now = nowMs();
            let busy = false;
            for (const s of subs) {
                if (s.result)
                    continue;
                const lost = lostOf(s, final);
                if (lost === 0 || now > deadline || now - Math.max(lastAny, begin) > QUIET_MS)
                    s.result = { received: s.received, last: s.last, lost, matched: now };
                else
                    busy = true;
            }
            if (busy)
                setTimeout(check, 20);
            else
                resolve(subs.map((s) => s.result));
        };
        check();
    });
}

let cpu0 = null;
process.on('message', async (msg) => {
    if (msg.type === 'start') {
        for (const s of subs) {
            s.received = 0;
            s.last = 0;
        }
        cpu0 = process.cpuUsage();
        send({ type: 'started' });
    } else if (msg.type === 'final') {
        const result = await waitFinal(msg.seq, msg.waitMs);
        send({ type: 'result', subs: result, cpuMs: cpuMs(cpu0) });
        for (const s of subs)
            s.conn?.close();
        setTimeout(() => process.exit(0), 50);
    }
});

openAll().catch((err) => {
    process.stderr.write(`subscriber: ${err.message}\n`);
    process.exit(1);
});
