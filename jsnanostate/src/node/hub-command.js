// SPDX-License-Identifier: MIT
// hub-command.js - what nanostate-hub-node and nanostate-hubws-node share:
// the options of the C nanostate-hub, making the Hub from them, the exit
// statuses (0 after SIGINT/SIGTERM, 1 on a failure, 2 on a usage error)
// and the clean stop.

import { Hub } from './hub.js';
import { watchersEnded } from './fd-watcher.js';
import { parseCommandLine, UsageError } from './command-line.js';

export const DEFAULT_URL = 'tcp://127.0.0.1:15000';
const MS = [10, 3600000];

/** The options of the C nanostate-hub. */
export function hubOptions({ statsOff = false } = {}) { // statsOff: --stats=0 allowed
    return [
        { name: 'bind', short: 'b', value: 'URL', repeat: true },
        { name: 'state-file', value: 'PATH' },
        { name: 'max-frame', value: 'BYTES', range: [1024, 2 ** 31 - 1], what: 'a number of bytes from 1024 up' },
        { name: 'heartbeat', value: 'MS', range: MS, what: 'milliseconds from 10 to 3600000' },
        { name: 'stats', value: 'MS', optional: 1000, range: MS, zero: statsOff,
          what: `milliseconds from 10 to 3600000${statsOff ? ', or 0 (off)' : ''}` },
        { name: 'no-batch' },
        { name: 'send-buffer', value: 'BYTES', range: [1024, 2 ** 31 - 1], what: 'a number of bytes from 1024 up' },
        { name: 'verbose', short: 'v' },
        { name: 'help', short: 'h' },
    ];
}

/**
 * Runs a hub command to its end: parses argv, prints --help, calls
 * start(values, log) (which returns a function that stops what it started;
 * it may throw a UsageError too) and waits for SIGINT/SIGTERM, then exits.
 * @param {object} command prog, usage (text), help (text), options (specs),
 *   start(values, log)
 */
export async function runCommand({ prog, usage, help, options, start }, argv = process.argv.slice(2)) {
    const say = (line) => process.stderr.write(`${prog}: ${line}\n`);
    const usageError = (err) => {
        say(err.message);
        process.stderr.write(`${usage}Try '${prog} --help' for more.\n`);
        process.exit(2);
    };
    let values;
    try {
        const parsed = parseCommandLine(argv, options);
        if (parsed.rest.length)
            throw new UsageError('unexpected argument (endpoints are given with -b URL)');
        values = parsed.values;
    } catch (err) {
        if (!(err instanceof UsageError))
            throw err;
        usageError(err);
    }
    if (values.help) {
        process.stdout.write(`${usage}\n${help}`);
        process.exit(0);
    }
    const log = (level, message) => say(`${level ? 'warning: ' : ''}${message}`);
    let stop;
    try {
        stop = await start(values, log);
    } catch (err) {
        if (err instanceof UsageError)
            usageError(err);
        say(err.message);
        process.exit(1);
    }
    const onSignal = async () => {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
        let code = 0;
        try {
            await stop();
            await watchersEnded();
        } catch (err) {
            say(err.message);
            code = 1;
        }
        process.exit(code);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
}

/** The Hub the options ask for, bound and loaded; logs as nanostate-hub does. */
export function makeHub(values, log) {
    const binds = values.bind.length ? values.bind : [DEFAULT_URL];
    // Loading a state file says why it fails even when not verbose.
    let loading = Boolean(values.stateFile);
    const hub = new Hub({
        stateFile: values.stateFile,
        maxFrame: values.maxFrame,
        heartbeat: values.heartbeat,
        stats: values.stats,
        batch: values.noBatch ? 0 : undefined,
        sendBuffer: values.sendBuffer,
        log: (level, message) => (values.verbose || loading) && log(level, message),
    });
    loading = false;
    // The fd watcher's thread died, or a front end's output code threw: a
    // hub that no longer hears its Apps ends, so that a supervisor restarts it.
    hub.on('error', (err) => {
        log(1, err.stack ?? err.message);
        hub.close();
        process.exit(1);
    });
    try {
        for (const url of binds) {
            hub.bind(url);
            if (values.verbose)
                log(0, `listening on ${url}`);
        }
    } catch (err) {
        hub.close();
        throw err;
    }
    if (values.verbose && values.stateFile)
        log(0, `${hub.size} states loaded from ${values.stateFile}`);
    return hub;
}
