// SPDX-License-Identifier: MIT
// access-policy.js - who may open a WebSocket, with the rules of the Qt
// nanostate-hubws (hubws-qt/core/accesspolicy.cpp): an Origin allow-list
// (default: the hub's own page, loopback names interchangeable; clients that
// send no Origin, i.e. not browsers, are let in) and an optional token, as
// ?token=... or 'Authorization: Bearer ...'.

import { timingSafeEqual } from 'node:crypto';
import { hostname, networkInterfaces } from 'node:os';

const LOOPBACK = ['localhost', '127.0.0.1', '::1'];

/** A host as it stands in a URL: IPv6 addresses in brackets. */
export function hostForUrl(host) {
    return host.includes(':') ? `[${host}]` : host;
}

/** scheme://host:port with the default port spelt out, or '' if `origin`
 * is not an http(s) origin. */
export function normalizeOrigin(origin) {
    let url;
    try {
        url = new URL(origin.trim());
    } catch {
        return '';
    }
    const scheme = url.protocol.slice(0, -1);
    if ((scheme !== 'http' && scheme !== 'https') || !url.hostname
        || (url.pathname !== '/' && url.pathname !== '') || url.search || url.username
        || /\/\s*$/.test(origin.trim()))
        return '';
    const port = url.port || (scheme === 'https' ? '443' : '80');
    return `${scheme}://${url.hostname.toLowerCase()}:${port}`;
}

function hostAliases(host) {
    const lower = host.toLowerCase().replace(/^\[|\]$/g, '');
    if (LOOPBACK.includes(lower) || /^127\./.test(lower))
        return LOOPBACK;
    if (lower === '0.0.0.0' || lower === '::' || lower === '') {
        const all = ['localhost', hostname().toLowerCase()];
        for (const list of Object.values(networkInterfaces()))
            all.push(...list.map((a) => a.address.replace(/%.*$/, '')));
        return all;
    }
    return [lower];
}

function sameSecret(a, b) {
    const x = Buffer.from(a);
    const y = Buffer.from(b);
    return x.length === y.length && timingSafeEqual(x, y);
}

export class AccessPolicy {
    #any = false;
    #configured = false;
    #allowed = new Set();
    #token = '';

    /** @param {string[]} origins '*' for any; empty: the hub's own page
     *  (setOwnAddress) @param {string} [token] */
    constructor(origins = [], token = '') {
        this.#configured = origins.length > 0;
        this.#any = origins.includes('*');
        for (const o of origins) {
            const n = normalizeOrigin(o);
            if (n)
                this.#allowed.add(n);
        }
        this.#token = token ?? '';
    }

    /** Where the hub listens, for the default allow-list. */
    setOwnAddress(host, port, tls) {
        if (this.#configured)
            return;
        const scheme = tls ? 'https' : 'http';
        this.#allowed = new Set(hostAliases(host)
            .map((h) => normalizeOrigin(`${scheme}://${hostForUrl(h)}:${port}`)).filter(Boolean));
    }

    isOriginAllowed(origin) {
        if (!origin || this.#any)
            return true;
        const n = normalizeOrigin(origin);
        return n !== '' && this.#allowed.has(n);
    }

    /** @param {import('node:http').IncomingMessage} request */
    isAuthorized(request) {
        if (!this.#token)
            return true;
        const auth = request.headers.authorization ?? '';
        if (/^bearer /i.test(auth) && sameSecret(auth.slice(7).trim(), this.#token))
            return true;
        const fromUrl = new URL(request.url, 'http://x').searchParams.get('token');
        return Boolean(fromUrl) && sameSecret(fromUrl, this.#token);
    }

    get allowedOrigins() {
        return this.#any ? ['*'] : [...this.#allowed].sort();
    }
}
