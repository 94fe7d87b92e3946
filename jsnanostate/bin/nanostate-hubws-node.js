#!/usr/bin/env node
// SPDX-License-Identifier: MIT
// nanostate-hubws-node - the hub for nanomsg Apps and WebSocket clients on
// Node.js: the C hub engine of libnanostate (through koffi) serves nanomsg
// Apps itself and WebSocket clients through its peer API; the `ws` package
// carries their frames. The options are those of the Qt nanostate-hubws
// that matter without a window: see --help.

import { UsageError } from '../src/node/command-line.js';
import { DEFAULT_URL, hubOptions, makeHub, runCommand } from '../src/node/hub-command.js';
import { WsServer } from '../src/node/ws-server.js';

const prog = 'nanostate-hubws-node';
const usage = `usage: ${prog} [-b URL]... [--state-file PATH] [--max-frame BYTES] [--heartbeat MS]
                            [--stats[=MS]] [-v] [--ws-host HOST] [--ws-port PORT]
                            [--allow-origin ORIGIN]... [--token TOKEN] [--cert FILE --key FILE]
                            [--max-clients N] [--max-queue BYTES] [--stall-timeout MS]
                            [--head-timeout MS] [--web-root DIR] [-h|--help]
`;
const help = `A full Nanostate hub - the engine of nanostate-hub (libnanostate), run by
Node.js - that also serves WebSocket clients and the web monitor on one HTTP
port. Apps connect over nanomsg (-b) as to nanostate-hub; browsers and other
WebSocket clients connect to ws://HOST:PORT/ws and exchange the same msgpack
frames (docs/PROTOCOL.md) as binary messages. Every update reaches every
other client once; a WebSocket sender gets an ACK instead of its echo.
Runs in the foreground; SIGINT or SIGTERM end it cleanly (the state file is
saved, exit status 0). The WebSocket URL is printed on stderr at start.

The hub (as nanostate-hub):
  -b, --bind URL          nanomsg endpoint: tcp://HOST:PORT, ipc://PATH or
                          ws://HOST:PORT (nanomsg's own). Repeat for several.
                          Default: ${DEFAULT_URL}
      --state-file PATH   keep the table in PATH (atomic writes, 200 ms after
                          a change) and load it at start
      --max-frame BYTES   largest frame accepted, on both transports (default
                          16777216); a WebSocket client sending more is closed
                          with code 1009
      --heartbeat MS      heartbeat period (default 1000)
      --stats[=MS]        publish the hub's figures as read-only states
                          ($hub/clients, $hub/clients/other, ...) every MS; on
                          by default at 1000 ms (the web monitor shows them),
                          --stats=0 turns them off
      --no-batch          never pack several frames into one BATCH message
                          over nanomsg
  -v, --verbose           log joins, resyncs, rejected frames and WebSocket
                          connections to stderr

WebSocket and HTTP (as nanostate-hubws):
      --ws-host HOST      address to listen on (default 127.0.0.1: this machine
                          only). 0.0.0.0 or :: for every interface: then think
                          of --token and TLS.
      --ws-port PORT      port for WebSocket (path /ws) and HTTP (default
                          15001; 0: any free port)
      --allow-origin ORIGIN  a web page origin (scheme://host[:port]) allowed to
                          connect; repeat for several, * for any. Default: the
                          hub's own page, with localhost, 127.0.0.1 and [::1]
                          interchangeable. Clients that send no Origin (not
                          browsers) are always let in; others get HTTP 403.
      --token TOKEN       clients must present TOKEN as /ws?token=TOKEN or as an
                          'Authorization: Bearer TOKEN' header, else HTTP 401
      --cert FILE, --key FILE  PEM certificate and key: wss:// and https://
      --max-clients N     most open connections, WebSocket and HTTP (default
                          1024); beyond it a request gets HTTP 503
      --max-queue BYTES   a client's unsent backlog above which it is paused
                          (default 1048576): no broadcasts until its backlog
                          falls below a quarter of this, then it pulls the
                          newest value of each state it missed. While the
                          backlog is over twice this, its frames are dropped.
      --stall-timeout MS  a client paused this long is closed with code 1013
                          (default 10000)
      --head-timeout MS   time a new connection has to send its request head
                          (default 5000)
      --web-root DIR      files served over HTTP (GET / is DIR/index.html).
                          Default: this package's web monitor (web/ and
                          dist/nanostate.js)
  -h, --help              this text

Environment:
  NANOSTATE_LIB           libnanostate's file, or its folder (see
                          nanostate-hub-node --help for where it is looked for)

Exit status: 0 after SIGINT/SIGTERM; 1 when an endpoint cannot be bound, the
state file or the certificate cannot be read or libnanostate is not found;
2 on a usage error.

Examples:
  ${prog}
      nanomsg Apps on ${DEFAULT_URL}, browsers on http://127.0.0.1:15001/
  ${prog} --ws-host 0.0.0.0 --token s3cret --cert hub.pem --key hub.key
`;

const MS = [10, 3600000];
const options = [
    ...hubOptions({ statsOff: true }),
    { name: 'ws-host', value: 'HOST' },
    { name: 'ws-port', value: 'PORT', range: [0, 65535], what: 'a port number (0: any free one)' },
    { name: 'allow-origin', value: 'ORIGIN', repeat: true },
    { name: 'token', value: 'TOKEN' },
    { name: 'cert', value: 'FILE' },
    { name: 'key', value: 'FILE' },
    { name: 'max-clients', value: 'N', range: [1, 1000000], what: 'a number from 1 up' },
    { name: 'max-queue', value: 'BYTES', range: [1024, 2 ** 40], what: 'a number of bytes from 1024 up' },
    { name: 'stall-timeout', value: 'MS', range: MS, what: 'milliseconds from 10 to 3600000' },
    { name: 'head-timeout', value: 'MS', range: MS, what: 'milliseconds from 10 to 3600000' },
    { name: 'web-root', value: 'DIR' },
];

await runCommand({
    prog,
    usage,
    help,
    options,
    async start(values, log) {
        if (Boolean(values.cert) !== Boolean(values.key))
            throw new UsageError('--cert and --key go together');
        const hub = makeHub({ ...values, stats: values.stats ?? 1000 }, log);
        const quiet = (level, message) => values.verbose && log(level, message);
        let server;
        try {
            server = new WsServer(hub, {
                host: values.wsHost ?? '127.0.0.1',
                port: values.wsPort ?? 15001,
                allowOrigins: values.allowOrigin,
                token: values.token,
                maxClients: values.maxClients ?? 1024,
                maxFrame: values.maxFrame ?? 16 * 1024 * 1024,
                maxQueue: values.maxQueue ?? 1024 * 1024,
                stallTimeoutMs: values.stallTimeout ?? 10000,
                headTimeoutMs: values.headTimeout ?? 5000,
                webRoot: values.webRoot,
                cert: values.cert,
                key: values.key,
            }, quiet);
            log(0, `WebSocket clients at ${await server.listen()}`);
        } catch (err) {
            hub.close();
            throw err;
        }
        return async () => {
            server.close();
            await server.drained(1000); // the clients take their 1001
            hub.close(); // saves the state file
        };
    },
});
