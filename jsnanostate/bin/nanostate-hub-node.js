#!/usr/bin/env node
// SPDX-License-Identifier: MIT
// nanostate-hub-node - nanostate-hub on Node.js: the C hub engine of
// libnanostate (through koffi) with the same options, for hosts that run
// Node.js programs anyway. The engine does all the work; see
// src/node/hub-command.js for what this front end adds.

import { DEFAULT_URL, hubOptions, makeHub, runCommand } from '../src/node/hub-command.js';

const prog = 'nanostate-hub-node';
const usage = `usage: ${prog} [-b|--bind URL]... [--state-file PATH] [--max-frame BYTES]
                          [--heartbeat MS] [--stats[=MS]] [--no-batch]
                          [--send-buffer BYTES] [-v|--verbose] [-h|--help]
`;
const help = `The Nanostate hub keeps the table of states (last value, sender, version)
and forwards every update to every connected App. Apps that join get the
whole table, then live updates. This is nanostate-hub's engine (libnanostate)
run by Node.js. Runs in the foreground; SIGINT or SIGTERM end it cleanly (the
state file is saved, exit status 0).

Options:
  -b, --bind URL        endpoint to listen on: tcp://HOST:PORT, ipc://PATH or
                        ws://HOST:PORT (nanomsg's). Repeat for several.
                        Default: ${DEFAULT_URL}
      --state-file PATH keep the table in PATH (atomic writes, 200 ms after a
                        change) and load it at start
      --max-frame BYTES largest frame accepted (default 16777216); larger
                        frames are dropped and counted
      --heartbeat MS    heartbeat period (default 1000); Apps consider the hub
                        gone after two periods without a frame
      --stats[=MS]      publish the hub's figures as read-only states every MS
                        (default 1000): $hub/clients, $hub/messages_in_per_s,
                        $hub/messages_out_per_s, $hub/rejected, $hub/states,
                        $hub/uptime_s; watch them with nanostate watch '$hub/*'
      --no-batch        never pack several frames into one BATCH message (by
                        default the hub does under load, while every connected
                        App has said it reads batches)
      --send-buffer BYTES what may wait for one slow App (default 1048576);
                        beyond, frames to it are dropped and it resyncs
  -v, --verbose         log joins, resyncs and rejected frames to stderr
  -h, --help            this text

Environment:
  NANOSTATE_LIB         libnanostate's file, or its folder. Otherwise it is
                        looked for in $NANOSTATE_BUILD/lib, $NANOSTATE_BIN/../lib,
                        the source tree's build/lib, the installed prefix,
                        /usr/local/lib and the dynamic linker's path.

Exit status: 0 after SIGINT/SIGTERM, 1 when an endpoint cannot be bound, the
state file cannot be read or libnanostate is not found, 2 on a usage error.

Examples:
  ${prog}
  ${prog} -b tcp://127.0.0.1:15000 -b ipc:///tmp/nanostate.sock -v
  ${prog} --state-file /var/lib/nanostate/state.msgpack
`;

await runCommand({
    prog,
    usage,
    help,
    options: hubOptions(),
    start(values, log) {
        const hub = makeHub(values, log);
        return () => hub.close(); // saves the state file
    },
});
