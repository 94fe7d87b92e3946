// SPDX-License-Identifier: MIT
// Helpers for tests against real programs of the build: nanostate-hubws on
// free ports, and the nanostate CLI (a C App) as a separate process.
// $NANOSTATE_BIN names the build's bin/ folder (tests/run sets it).

import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';

export const BIN = process.env.NANOSTATE_BIN ?? '';
export const HUBWS = BIN && join(BIN, 'nanostate-hubws');
export const CLI = BIN && join(BIN, 'nanostate');

/** Why the tests that need nanostate-hubws cannot run, or false. */
export function hubwsMissing() {
    if (!BIN)
        return 'NANOSTATE_BIN is not set (run through tests/run)';
    if (!existsSync(HUBWS))
        return `${HUBWS} is not built yet`;
    if (!existsSync(CLI))
        return `${CLI} is not built`;
    return false;
}

/** A TCP port nobody listens on right now. */
export function freePort() {
    return new Promise((resolve, reject) => {
        const server = net.createServer();
        server.once('error', reject);
        server.listen(0, '127.0.0.1', () => {
            const { port } = server.address();
            server.close(() => resolve(port));
        });
    });
}

function canConnect(port) {
    return new Promise((resolve) => {
        const socket = net.connect({ host: '127.0.0.1', port }, () => {
            socket.destroy();
            resolve(true);
        });
        socket.once('error', () => resolve(false));
    });
}

/** A nanostate-hubws process: start(), kill(signal), stop(). Subclasses
 * (node-hubs.js) run the Node.js hubs. */
export class HubProcess {
    /** @param {object} [o] wsPort, nnPort (free ones if not given),
     *  statsMs (the $hub/ figures' period; default: none), args (more options) */
    static async start(o = {}) {
        const hub = new this();
        hub.wsPort = o.wsPort ?? (await freePort());
        hub.nnPort = o.nnPort ?? (await freePort());
        hub.args = [`--stats=${o.statsMs ?? 0}`, ...(o.args ?? [])];
        await hub.start();
        return hub;
    }

    get wsUrl() {
        return `ws://127.0.0.1:${this.wsPort}/ws`;
    }

    get httpUrl() {
        return `http://127.0.0.1:${this.wsPort}/`;
    }

    get nnUrl() {
        return `tcp://127.0.0.1:${this.nnPort}`;
    }

    /** [program, arguments]: subclasses start other hubs. */
    command() {
        return [HUBWS, ['--headless', '-b', this.nnUrl, '--ws-port', String(this.wsPort), ...this.args]];
    }

    /** The port that accepts connections once the hub is ready. */
    get readyPort() {
        return this.wsPort;
    }

    get name() {
        return 'nanostate-hubws';
    }

    async start(timeoutMs = 10000) {
        this.output = '';
        const [program, args] = this.command();
        this.proc = spawn(program, args, { stdio: ['ignore', 'pipe', 'pipe'] });
        this.exited = new Promise((resolve) => this.proc.once('exit', (code, signal) => resolve({ code, signal })));
        const keep = (chunk) => {
            this.output = (this.output + chunk).slice(-8000);
        };
        this.proc.stdout.on('data', keep);
        this.proc.stderr.on('data', keep);
        let gone = false;
        this.exited.then(() => {
            gone = true;
        });
        const deadline = Date.now() + timeoutMs;
        while (!(await canConnect(this.readyPort))) {
            if (gone)
                throw new Error(`${this.name} exited at start: ${this.output}`);
            if (Date.now() > deadline)
                throw new Error(`${this.name} did not listen on ${this.readyPort} in ${timeoutMs} ms: ${this.output}`);
            await new Promise((resolve) => setTimeout(resolve, 20)); // polling the port, bounded
        }
    }

    /** Sends `signal` to the hub (by its PID) and waits until it is gone. */
    async kill(signal = 'SIGTERM', timeoutMs = 5000) {
        if (!this.proc || this.proc.exitCode !== null || this.proc.signalCode !== null)
            return;
        process.kill(this.proc.pid, signal);
        const timer = setTimeout(() => process.kill(this.proc.pid, 'SIGKILL'), timeoutMs);
        await this.exited;
        clearTimeout(timer);
    }

    stop() {
        return this.kill('SIGTERM');
    }
}

/**
 * Runs the nanostate CLI against `hub`: resolves {code, stdout, stderr}.
 * @param {HubProcess} hub
 * @param {string[]} args the command and its arguments
 */
export function cli(hub, args, { timeoutMs = 10000 } = {}) {
    return new Promise((resolve) => {
        execFile(CLI, ['-c', hub.nnUrl, '--timeout', '5000', ...args], { timeout: timeoutMs },
            (err, stdout, stderr) => resolve({ code: err ? (err.code ?? 1) : 0, stdout, stderr }));
    });
}

/** Like cli(), but starts it and returns the child (for watch). */
export function cliSpawn(hub, args) {
    return spawn(CLI, ['-c', hub.nnUrl, '--timeout', '5000', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
}
