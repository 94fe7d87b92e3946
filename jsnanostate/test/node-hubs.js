// SPDX-License-Identifier: MIT
// Helpers for the tests of nanostate-hub-node and nanostate-hubws-node: the
// two bin scripts as child processes (HubProcess's life cycle), and running
// them to their end for the command-line checks.

import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { load } from '../src/node/library.js';
import { CLI, HubProcess } from './hub-process.js';

const here = dirname(fileURLToPath(import.meta.url));
export const HUB_NODE = join(here, '..', 'bin', 'nanostate-hub-node.js');
export const HUBWS_NODE = join(here, '..', 'bin', 'nanostate-hubws-node.js');

/** Why the Node.js hubs cannot be tested here, or false. */
export function nodeHubsMissing() {
    if (!CLI)
        return 'NANOSTATE_BIN is not set (run through tests/run)';
    if (!existsSync(CLI))
        return `${CLI} is not built`;
    try {
        load();
    } catch (err) {
        // The reason a library found could not be loaded, else the first line.
        const lines = err.message.split('\n');
        return (lines.find((line) => line.startsWith('  ! '))?.slice(4) ?? lines[0]);
    }
    return false;
}

/** nanostate-hub-node on a free TCP port (nnUrl). */
export class NodeHubProcess extends HubProcess {
    get name() {
        return 'nanostate-hub-node';
    }

    command() {
        // HubProcess turns the figures off with --stats=0; nanostate-hub
        // has them off unless --stats is given, and no 0.
        const args = this.args.filter((arg) => arg !== '--stats=0');
        return [process.execPath, [HUB_NODE, '-b', this.nnUrl, ...args]];
    }

    get readyPort() {
        return this.nnPort;
    }
}

/** nanostate-hubws-node on free ports (nnUrl, wsUrl). */
export class NodeHubwsProcess extends HubProcess {
    get name() {
        return 'nanostate-hubws-node';
    }

    command() {
        return [process.execPath, [HUBWS_NODE, '-b', this.nnUrl, '--ws-port', String(this.wsPort), ...this.args]];
    }
}

/** A fresh folder under $NANOSTATE_TEST_TMP, removed when test `t` ends. */
export function tempDir(t) {
    const dir = mkdtempSync(join(process.env.NANOSTATE_TEST_TMP ?? tmpdir(), 'node-hub-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    return dir;
}

/** Runs a bin script to its end: resolves {code, stdout, stderr}. */
export function runScript(script, args, { env = process.env, timeoutMs = 10000 } = {}) {
    return new Promise((resolve) => {
        execFile(process.execPath, [script, ...args], { env, timeout: timeoutMs },
            (err, stdout, stderr) => resolve({ code: err ? (err.code ?? 1) : 0, stdout, stderr }));
    });
}

/** Resolves when the hub's collected output (hub.output) matches
 * `pattern`: checked now and on each chunk; rejects after timeoutMs. */
export function outputMatches(hub, pattern, timeoutMs = 10000) {
    return new Promise((resolve, reject) => {
        const streams = [hub.proc.stdout, hub.proc.stderr];
        const done = (err) => {
            clearTimeout(timer);
            streams.forEach((stream) => stream.off('data', onData));
            if (err)
                reject(err);
            else
                resolve();
        };
        // HubProcess's listener came first: the chunk is in hub.output.
        const onData = () => pattern.test(hub.output) && done();
        const timer = setTimeout(() => done(new Error(`${hub.name} did not print ${pattern} in ${timeoutMs} ms: ${hub.output}`)), timeoutMs);
        streams.forEach((stream) => stream.on('data', onData));
        onData();
    });
}
