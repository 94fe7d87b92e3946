// SPDX-License-Identifier: MIT
// web-files.js - the files nanostate-hubws-node serves over HTTP: the web
// monitor. Only names directly in the folders (no sub-folders, no hidden
// files) are served, so no path can leave them.

import { readFile } from 'node:fs/promises';
import { dirname, extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const PACKAGE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const TYPES = {
    '.html': 'text/html; charset=utf-8',
    '.js': 'text/javascript; charset=utf-8',
    '.mjs': 'text/javascript; charset=utf-8',
    '.css': 'text/css; charset=utf-8',
    '.json': 'application/json',
    '.map': 'application/json',
    '.txt': 'text/plain; charset=utf-8',
    '.svg': 'image/svg+xml',
    '.png': 'image/png',
    '.ico': 'image/x-icon',
};

/** The folders searched, in order: `webRoot`, else this package's monitor
 * page (web/) and browser bundle (dist/nanostate.js, made by `npm pack`),
 * then where a build of the repository puts them (share/nanostate/web of
 * $NANOSTATE_BUILD, of $NANOSTATE_BIN/.., of the checkout's build/). */
export function webFolders(webRoot, env = process.env) {
    if (webRoot)
        return [resolve(webRoot)];
    const built = [env.NANOSTATE_BUILD, env.NANOSTATE_BIN && join(env.NANOSTATE_BIN, '..'),
        join(PACKAGE_ROOT, '..', 'build')].filter(Boolean).map((b) => join(b, 'share', 'nanostate', 'web'));
    return [join(PACKAGE_ROOT, 'web'), join(PACKAGE_ROOT, 'dist'), ...built];
}

/** { status, type, body } for a GET of `path` (no query). */
export async function webReply(folders, path) {
    let name;
    try {
        name = decodeURIComponent(path === '/' ? '/index.html' : path).slice(1);
    } catch {
        name = '';
    }
    if (/^[\w-][\w.-]*$/.test(name)) {
        for (const folder of folders) {
            try {
                const body = await readFile(join(folder, name));
                return { status: 200, type: TYPES[extname(name).toLowerCase()] ?? 'application/octet-stream', body };
            } catch {
                // not in this folder
            }
        }
    }
    return { status: 404, type: 'text/plain; charset=utf-8', body: Buffer.from('not found\n') };
}
