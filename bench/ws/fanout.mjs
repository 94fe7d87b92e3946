#!/usr/bin/env node
// SPDX-License-Identifier: MIT
const USAGE = `usage: node fanout.mjs SYSTEM URL SUBSCRIBERS VALUE_BYTES SECONDS [options]

WebSocket fan-out, the counterpart of nanostate-bench-fanout for WebSocket
clients. One publisher client sets 16 names (bench/k00..k15) round-robin as
fast as it can for SECONDS; SUBSCRIBERS clients, spread over a few child
processes, count what they receive. Afterwards each subscriber is told the
publisher's final value of every name and waits for its own table to match:
at most 2 s (--final-wait), or until its process got nothing for 0.5 s, as
nanostate-bench-fanout's subscribers do.

SYSTEM and URL (the server is started by the caller, e.g. bench/run):
  nanostate-hubws  ws://127.0.0.1:PORT/ws    Nanostate frames, msgpack bin values
  mosquitto-ws     ws://127.0.0.1:PORT/mqtt  MQTT 3.1.1, QoS 0, topic = name

Options:
  --clients raw|lib   raw (default): light clients, the ws package and each
                      system's codec (jsnanostate's frame.js, mqtt-packet);
                      the publisher sends fire-and-forget (a legacy frame, a
                      QoS 0 PUBLISH). lib: the libraries users run, the
                      jsnanostate App and MQTT.js (raw-clients.mjs and
                      lib-clients.mjs say more)
  --final-wait S      longest wait for the final values (default 2)
  --procs N           subscriber processes (default: min(SUBSCRIBERS, 4))
  --server-pid PID    report that process's CPU time and peak RSS
  --max-server-rss M  stop publishing when the server's RSS passes M MiB
                      (default 4096); the run then fails
  --limit S           give up after S seconds in all (default 120)

Prints one line:
  SENT PER_SUB_PER_S(mean) PER_SUB_PER_S(min) AGGREGATE_PER_S FINAL_LOST
  SERVER_CPU_S SUBSCRIBERS_CPU_S PUBLISHER_CPU_S WINDOW_S SERVER_PEAK_RSS_MIB
  CONVERGED_S RECEIVED
where a subscriber's rate is what it received / (its last receipt - start),
FINAL_LOST counts (subscriber, name) pairs whose last value differs,
CONVERGED_S is when the last subscriber's table matched, in seconds after
the final values were sent (-1: not every one did), RECEIVED is the updates
all subscribers received, and the CPU times cover WINDOW_S, from the start
of publishing until every subscriber reported (the server's are -1 without
--server-pid).`;

import { fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const SYSTEMS = ['nanostate-hubws', 'mosquitto-ws'];
const KEYS = 16;
const BURST = 16;
const WARM_LIMIT_MS = 60000;
const WARM_PERIOD_MS = 20;

function nowMs() {
    return performance.timeOrigin + performance.now();
}

function fail(message) {
    process.stderr.write(`fanout: ${message}\n`);
    process.exit(1);
}

function parseArgs(argv) {
    const pos = [];
    const opt = { clients: 'raw', finalWait: 2, procs: 0, serverPid: 0, maxServerRss: 4096, limit: 120 };
    for (let i = 0; i < argv.length; i++) {
        const a = argv[i];
        if (a === '-h' || a === '--help') {
            process.stdout.write(USAGE + '\n');
            process.exit(0);
        } else if (a === '--clients') {
            opt.clients = argv[++i];
        } else if (a === '--final-wait') {
            opt.finalWait = Number(argv[++i]);
        } else if (a === '--procs') {
            opt.procs = Number(argv[++i]);
        } else if (a === '--server-pid') {
            opt.serverPid = Number(argv[++i]);
        } else if (a === '--max-server-rss') {
            opt.maxServerRss = Number(argv[++i]);
        } else if (a === '--limit') {
            opt.limit = Number(argv[++i]);
        } else {
            pos.push(a);
        }
    }
    if (pos.length !== 5 || !SYSTEMS.includes(pos[0]) || !['raw', 'lib'].includes(opt.clients)) {
        process.stderr.write(USAGE + '\n');
        process.exit(2);
    }
    const [system, url, subs, size, seconds] = pos;
    opt.system = system;
    opt.url = url;
    opt.subs = Number(subs);
    opt.size = Number(size);
    opt.seconds = Number(seconds);
    if (!(opt.subs >= 1 && opt.size >= 8 && opt.seconds > 0))
        fail('SUBSCRIBERS >= 1, VALUE_BYTES >= 8 and SECONDS > 0');
    opt.procs = Math.max(1, Math.min(opt.subs, opt.procs || 4));
    return opt;
}

// A process's CPU time (utime + stime) in seconds.
function serverCpu(pid) {
    if (!pid)
        return -1;
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / 100; // USER_HZ is 100 on Linux
}

// A process's resident memory in MiB.
function serverRss(pid) {
    if (!pid)
        return -1;
    const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : -1;
}

// The subscriber processes, each with its share of the clients; every
// message from them is queued until asked for.
function startWorkers(opt) {
    const here = fileURLToPath(new URL('.', import.meta.url));
    const workers = [];
    let first = 0;
    for (let w = 0; w < opt.procs; w++) {
        const count = Math.floor(opt.subs / opt.procs) + (w < opt.subs % opt.procs ? 1 : 0);
        const child = fork(`${here}subscriber.mjs`, [opt.clients, opt.system, opt.url, String(first), String(count)],
            { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
        first += count;
        const worker = { child, inbox: [], waiting: null, exited: false };
        child.on('message', (msg) => {
            worker.inbox.push(msg);
            worker.waiting?.();
        });
        child.on('exit', (code) => {
            worker.exited = true;
            if (code && !worker.done)
                worker.inbox.push({ type: 'exit', code });
            worker.waiting?.();
        });
        workers.push(worker);
    }
    return workers;
}

// The next message of the given type from a worker (a failure ends the run).
async function next(worker, type) {
    for (;;) {
        const i = worker.inbox.findIndex((m) => m.type === type || m.type === 'exit');
        if (i >= 0) {
            const msg = worker.inbox.splice(i, 1)[0];
            if (msg.type === 'exit')
                fail(`a subscriber process exited with status ${msg.code}`);
            return msg;
        }
        await new Promise((resolve) => { worker.waiting = resolve; });
        worker.waiting = null;
    }
}

function stopWorkers(workers) {
    for (const w of workers) {
        if (!w.exited)
            w.child.kill('SIGTERM'); // by PID
    }
}

async function main() {
    const opt = parseArgs(process.argv.slice(2));
    let workers = [];
    const watchdog = setTimeout(() => {
        stopWorkers(workers);
        fail(`gave up after ${opt.limit} s`);
    }, opt.limit * 1000);
    process.on('exit', () => stopWorkers(workers));

    workers = startWorkers(opt);
    const { open: opens } = await import(opt.clients === 'lib' ? './lib-clients.mjs' : './raw-clients.mjs');
    const open = opens[opt.system];
    const pub = await open(opt.url, `bench-pub-${process.pid}`, null);
    const value = new Uint8Array(opt.size);
    const view = new DataView(value.buffer);
    const setSeq = (n) => {
        view.setUint32(0, n % 2 ** 32, true);
        view.setUint32(4, Math.floor(n / 2 ** 32), true);
    };

    // Warm up until every subscriber has heard the publisher: small values
    // (a thousand clients would otherwise start with a backlog of them).
    let ready = 0;
    const readyAll = Promise.all(workers.map((w) => next(w, 'ready').then(() => { ready++; })));
    const giveUp = nowMs() + WARM_LIMIT_MS;
    const warmValue = new Uint8Array(8);
    for (let warm = 1; ready < workers.length; warm++) {
        new DataView(warmValue.buffer).setUint32(0, warm, true); // Nanostate reports changes only
        pub.send('bench/warm', warmValue);
        await Promise.race([readyAll, new Promise((resolve) => setTimeout(resolve, WARM_PERIOD_MS))]);
        if (nowMs() > giveUp)
            fail(`only ${ready} of ${workers.length} subscriber processes ready`);
    }
    for (const w of workers)
        w.child.send({ type: 'start' });
    await Promise.all(workers.map((w) => next(w, 'started')));

    // Publish.
    const final = new Array(KEYS).fill(0);
    const names = Array.from({ length: KEYS }, (_, k) => `bench/k${String(k).padStart(2, '0')}`);
    const cpu0 = serverCpu(opt.serverPid);
    const pubCpu0 = process.cpuUsage();
    let peakRss = serverRss(opt.serverPid);
    const sampleRss = () => {
        peakRss = Math.max(peakRss, serverRss(opt.serverPid));
        if (peakRss > opt.maxServerRss)
            fail(`the server's RSS passed ${opt.maxServerRss} MiB (${peakRss.toFixed(0)} MiB)`);
    };
    const start = nowMs();
    const end = start + opt.seconds * 1000;
    let nextSample = start + 100;
    const ended = new Promise((resolve) => setTimeout(resolve, opt.seconds * 1000));
    let seq = 0;
    let sent = 0;
    while (nowMs() < end) {
        for (let b = 0; b < BURST; b++) {
            const k = seq % KEYS;
            seq++;
            setSeq(seq);
            pub.send(names[k], value);
            final[k] = seq;
            sent++;
        }
        await Promise.race([pub.drain(), ended]); // a blocked socket does not stretch the time
        if (opt.serverPid && nowMs() >= nextSample) {
            nextSample += 100;
            sampleRss();
        }
    }
    await pub.flush(5000);

    const finalAt = nowMs();
    for (const w of workers)
        w.child.send({ type: 'final', seq: final, waitMs: opt.finalWait * 1000 });
    const rssTimer = opt.serverPid ? setInterval(sampleRss, 100) : null;
    const results = await Promise.all(workers.map((w) => next(w, 'result')));
    const windowS = (nowMs() - start) / 1000;
    clearInterval(rssTimer);
    const cpu1 = serverCpu(opt.serverPid);
    const pubCpu = process.cpuUsage(pubCpu0);
    for (const w of workers)
        w.done = true;

    let sum = 0;
    let min = -1;
    let lost = 0;
    let subsCpuMs = 0;
    let converged = 0;
    let received = 0;
    for (const r of results) {
        subsCpuMs += r.cpuMs;
        for (const s of r.subs) {
            converged = s.lost || converged < 0 ? -1 : Math.max(converged, (s.matched - finalAt) / 1000);
            const secs = (Math.max(s.last, start) - start) / 1000;
            const rate = secs > 0 ? s.received / secs : 0;
            sum += rate;
            min = min < 0 ? rate : Math.min(min, rate);
            lost += s.lost;
            received += s.received;
        }
    }
    pub.close();
    clearTimeout(watchdog);
    const fmt = (x, d) => x.toFixed(d);
    process.stdout.write([
        sent, fmt(sum / opt.subs, 0), fmt(min, 0), fmt(sum, 0), lost,
        opt.serverPid ? fmt(cpu1 - cpu0, 2) : '-1', fmt(subsCpuMs / 1000, 2),
        fmt((pubCpu.user + pubCpu.system) / 1e6, 2), fmt(windowS, 2),
        opt.serverPid ? fmt(peakRss, 1) : '-1', fmt(converged, 2), received,
    ].join(' ') + '\n');
    // The workers exit by themselves once they reported; whatever is left
    // after a second is ended by PID.
    setTimeout(() => {
        stopWorkers(workers);
        process.exit(0);
    }, 1000).unref();
}

main().catch((err) => fail(err.stack || err.message));
