// SPDX-License-Identifier: MIT
// ws-server.js - the HTTP(S) port of nanostate-hubws-node: WebSocket clients
// at /ws (peers of the hub engine, see ws-client.js), checked as the Qt
// nanostate-hubws checks them (hubws-qt/core/wsserver.cpp): a connection
// cap (503), the Origin allow-list (403) and the token (401); every other
// GET serves the web monitor.

import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';

import { WebSocketServer } from 'ws';

import { AccessPolicy, hostForUrl } from './access-policy.js';
import { webFolders, webReply } from './web-files.js';
import { WsClient } from './ws-client.js';

const CLOSE_GOING_AWAY = 1001;

function httpsServer(options, certFile, keyFile) {
    const read = (path, what) => {
        try {
            return readFileSync(path);
        } catch (err) {
            throw new Error(`cannot read the ${what} ${path}: ${err.message}`);
        }
    };
    const tls = { cert: read(certFile, 'certificate'), key: read(keyFile, 'key') };
    try {
        return https.createServer({ ...options, ...tls });
    } catch (err) {
        throw new Error(`cannot load the certificate ${certFile} with the key ${keyFile}: ${err.message}`);
    }
}

export class WsServer {
    #hub;
    #settings;
    #log;
    #access;
    #server;
    #wss;
    #sockets = new Set(); // every open TCP connection, HTTP or WebSocket
    #clients = new Map(); // peer id -> WsClient
    #folders;

    /**
     * @param {import('./hub.js').Hub} hub serves its peers; takes its output
     * @param {object} s host, port, allowOrigins[], token, maxClients,
     *   maxFrame, maxQueue, stallTimeoutMs, headTimeoutMs, webRoot, cert, key
     * @param {(level: number, message: string) => void} log
     */
    constructor(hub, s, log) {
        this.#hub = hub;
        this.#settings = s;
        this.#log = log;
        this.#access = new AccessPolicy(s.allowOrigins, s.token);
        this.#folders = webFolders(s.webRoot);
        // Heads are checked for their timeout every connectionsCheckingInterval.
        const options = {
            headersTimeout: s.headTimeoutMs,
            requestTimeout: s.headTimeoutMs,
            connectionsCheckingInterval: Math.min(1000, s.headTimeoutMs),
        };
        this.#server = s.cert ? httpsServer(options, s.cert, s.key) : http.createServer(options);
        this.#server.on('connection', (socket) => this.#onConnection(socket));
        this.#server.on('request', (req, res) => this.#onRequest(req, res));
        this.#server.on('upgrade', (req, socket, head) => this.#onUpgrade(req, socket, head));
        this.#wss = new WebSocketServer({ noServer: true, maxPayload: s.maxFrame, perMessageDeflate: false });
        hub.onOutput((frame, to, except) => this.#onOutput(frame, to, except));
    }

    get tls() {
        return Boolean(this.#settings.cert);
    }

    /** Listens; resolves with the WebSocket URL (the port chosen if 0). */
    listen() {
        const { host, port } = this.#settings;
        return new Promise((resolve, reject) => {
            this.#server.once('error', (err) => reject(new Error(`cannot listen on ${host} port ${port}: ${err.message}`)));
            this.#server.listen(port, host === 'localhost' ? '127.0.0.1' : host, () => {
                this.port = this.#server.address().port;
                this.#access.setOwnAddress(host, this.port, this.tls);
                resolve(this.url);
            });
        });
    }

    get url() {
        return `${this.tls ? 'wss' : 'ws'}://${hostForUrl(this.#settings.host)}:${this.port}/ws`;
    }

    get clients() {
        return [...this.#clients.values()];
    }

    /** Stops listening and says goodbye (1001) to every client. */
    close() {
        this.#server.close();
        for (const client of this.#clients.values())
            client.close(CLOSE_GOING_AWAY, 'the hub is shutting down');
        this.#hub.onOutput(null);
    }

    /** Resolves once every connection is gone, or after timeoutMs. */
    drained(timeoutMs) {
        return new Promise((resolve) => {
            const timer = setTimeout(finish, timeoutMs);
            const sockets = [...this.#sockets];
            let left = sockets.length;
            function finish() {
                clearTimeout(timer);
                resolve();
            }
            if (left === 0)
                finish();
            for (const socket of sockets)
                socket.once('close', () => --left === 0 && finish());
        });
    }

    #onConnection(socket) {
        // Past the cap a request still gets its 503; this far past it,
        // connections are cut at once.
        const max = this.#settings.maxClients;
        if (this.#sockets.size >= max + Math.max(16, Math.floor(max / 8))) {
            socket.destroy();
            return;
        }
        this.#sockets.add(socket);
        socket.once('close', () => this.#sockets.delete(socket));
        socket.setKeepAlive(true);
    }

    // This connection is one of the open ones: count the others.
    #overCapacity() {
        return this.#sockets.size - 1 >= this.#settings.maxClients;
    }

    #why(req, status, why) {
        const peer = `${req.socket.remoteAddress}:${req.socket.remotePort}`;
        this.#log(status < 400 ? 0 : 1, `${req.method} ${req.url.slice(0, 200)} from ${peer}: ${status}${why ? ` (${why})` : ''}`);
    }

    async #onRequest(req, res) {
        const path = new URL(req.url, 'http://host').pathname;
        const reply = (status, text, headers = {}) => {
            this.#why(req, status, text);
            res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', ...headers });
            res.end(`${text}\n`);
        };
        if (this.#overCapacity())
            return reply(503, `too many connections (--max-clients ${this.#settings.maxClients})`);
        if (req.method !== 'GET' && req.method !== 'HEAD')
            return reply(405, 'GET or HEAD only', { Allow: 'GET, HEAD' });
        if (path === '/ws')
            return reply(426, 'this is the WebSocket endpoint', { Upgrade: 'websocket' });
        const file = await webReply(this.#folders, path);
        res.writeHead(file.status, { 'Content-Type': file.type, 'Content-Length': file.body.length });
        res.end(req.method === 'HEAD' ? undefined : file.body);
    }

    #onUpgrade(req, socket, head) {
        const refuse = (status, text, headers = '') => {
            this.#why(req, status, text);
            const body = `${text}\n`;
            socket.end(`HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\nConnection: close\r\n`
                + `Content-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n${headers}\r\n${body}`);
        };
        if (new URL(req.url, 'http://host').pathname !== '/ws')
            return refuse(404, 'WebSocket endpoint: /ws');
        if (this.#overCapacity())
            return refuse(503, `too many connections (--max-clients ${this.#settings.maxClients})`);
        if (!this.#access.isOriginAllowed(req.headers.origin))
            return refuse(403, `origin ${String(req.headers.origin).slice(0, 200)} not allowed (see --allow-origin)`);
        if (!this.#access.isAuthorized(req))
            return refuse(401, 'a token is needed: ?token=TOKEN or Authorization: Bearer',
                'WWW-Authenticate: Bearer realm="nanostate"\r\n');
        this.#wss.handleUpgrade(req, socket, head, (ws) => this.#onUpgraded(ws, req));
    }

    #onUpgraded(ws, req) {
        const s = this.#settings;
        const address = `${req.socket.remoteAddress}:${req.socket.remotePort}`;
        const limits = { maxQueue: s.maxQueue, stallTimeoutMs: s.stallTimeoutMs };
        let client;
        try {
            client = new WsClient(this.#hub, ws, limits, this.#log, address);
        } catch (err) {
            this.#log(1, err.message);
            ws.close(1011, 'hub error');
            return;
        }
        this.#clients.set(client.peer, client);
        client.onClosed = () => this.#clients.delete(client.peer);
        const origin = req.headers.origin ? `, origin ${req.headers.origin}` : '';
        this.#log(0, `client ${client.peer} connected from ${address}${origin}${this.tls ? ', TLS' : ''}`);
    }

    // Inside the engine call: send and pause only.
    #onOutput(frame, to, except) {
        if (to) {
            this.#clients.get(to)?.send(frame);
            return;
        }
        for (const client of this.#clients.values()) {
            if (client.peer !== except && !client.paused)
                client.send(frame);
        }
    }
}
