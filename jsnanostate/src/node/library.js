// SPDX-License-Identifier: MIT
// library.js - finds libnanostate and declares the part of its C API the
// Node.js hubs use (koffi, an FFI with prebuilt binaries: nothing to compile).
// The places searched are those of pynanostate/nanostate/_lib.py, plus the
// installed prefix.

import { existsSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join, normalize, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { NanostateError } from '../nanostate.js';

const SONAMES = process.platform === 'darwin'
    ? ['libnanostate.1.dylib', 'libnanostate.dylib']
    : ['libnanostate.so.1', 'libnanostate.so'];
const PACKAGE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

// The codes of enum nanostate_error, in order (index = code).
export const ERROR_CODES = ['OK', 'EINVAL', 'ENOMEM', 'EURL', 'EADDRINUSE', 'EADDRNOTAVAIL',
    'ETRANSPORT', 'ETIMEDOUT', 'ENOTFOUND', 'ENAME', 'EVALUE', 'ETOOBIG', 'ETYPE', 'ERANGE',
    'EPROTO', 'EIO', 'ECLOSED', 'EUNKNOWN'];

/** libnanostate (or koffi) could not be loaded; the message says where it looked. */
export class LibraryNotFoundError extends Error {
    constructor(message) {
        super(message);
        this.name = 'LibraryNotFoundError';
        this.code = 'ENOLIB';
    }
}

/** [places looked at, paths to try], in order of preference. */
export function searchPath(env = process.env) {
    const inFolder = (folder) => SONAMES.map((name) => join(folder, name));
    const explicit = env.NANOSTATE_LIB;
    if (explicit) {
        // Authoritative: a wrong NANOSTATE_LIB must not silently pick another library.
        if (existsSync(explicit) && statSync(explicit).isDirectory())
            return [[`NANOSTATE_LIB=${explicit} (a folder)`], inFolder(explicit)];
        return [[`NANOSTATE_LIB=${explicit}`], [explicit]];
    }
    const looked = [];
    const paths = [];
    const folder = (what, dir) => {
        looked.push(`${what}: ${dir}`);
        paths.push(...inFolder(dir));
    };
    if (env.NANOSTATE_BUILD)
        folder('NANOSTATE_BUILD/lib', join(env.NANOSTATE_BUILD, 'lib'));
    if (env.NANOSTATE_BIN)
        folder('NANOSTATE_BIN/../lib', normalize(join(env.NANOSTATE_BIN, '..', 'lib')));
    // A source checkout: jsnanostate/ beside build/.
    folder("the source tree's build", join(PACKAGE_ROOT, '..', 'build', 'lib'));
    // Installed with npm -g: PREFIX/lib/node_modules/nanostate beside PREFIX/lib's libraries.
    const modules = dirname(PACKAGE_ROOT);
    if (basename(modules) === 'node_modules' && basename(dirname(modules)) === 'lib')
        folder('the installed prefix', dirname(modules));
    folder("qmake's default prefix", '/usr/local/lib');
    looked.push(`the dynamic linker's search path (LD_LIBRARY_PATH, ld.so.cache): ${SONAMES[0]}`);
    paths.push(SONAMES[0]);
    return [looked, paths];
}

function loadKoffi() {
    try {
        return createRequire(import.meta.url)('koffi');
    } catch (err) {
        throw new LibraryNotFoundError(`the npm package koffi is missing (${err.message.split('\n')[0]}).\n`
            + `Install the packages of ${PACKAGE_ROOT} (npm ci, or scripts/npm-deps).`);
    }
}

// An AddressSanitizer build of libnanostate needs the ASan runtime loaded
// before anything else: dlopen'ed into Node it aborts the process (its
// shadow memory collides with V8's mappings). Say so instead.
function sanitizerProblem(path) {
    if (process.platform !== 'linux' || !path.includes('/'))
        return null;
    try {
        if (!readFileSync(path).includes('libasan.so') || readFileSync('/proc/self/maps', 'utf8').includes('libasan.so'))
            return null;
    } catch {
        return null;
    }
    return `${path} is built with AddressSanitizer: Node.js can load it only with the ASan runtime `
        + 'preloaded (LD_PRELOAD=$(gcc -print-file-name=libasan.so))';
}

let loaded = null;

/** { koffi, c, types, path }: c the declared functions, types the structs
 * the callbacks decode; loads once per process.
 * Throws LibraryNotFoundError saying where it looked. */
export function load(env = process.env) {
    if (loaded)
        return loaded;
    const koffi = loadKoffi();
    const [looked, paths] = searchPath(env);
    const failures = [];
    for (const path of paths) {
        if (path.includes('/') && !existsSync(path))
            continue;
        const problem = sanitizerProblem(path);
        if (problem) {
            failures.push(problem);
            continue;
        }
        try {
            const lib = koffi.load(path);
            loaded = { koffi, ...declare(koffi, lib), path };
            return loaded;
        } catch (err) {
            failures.push(`${path}: ${err.message}`);
        }
    }
    const what = failures.length ? 'not found or not loadable' : 'not found';
    throw new LibraryNotFoundError([`libnanostate ${what}. Looked in:`,
        ...looked.map((place) => `  - ${place}`),
        ...failures.map((failure) => `  ! ${failure}`),
        'Build it (qmake && make), install it, or set NANOSTATE_LIB to the library file or its folder.',
    ].join('\n'));
}

/** Throws a NanostateError for a non-zero NANOSTATE_E* code. */
export function check(c, rc, context) {
    if (rc === 0)
        return;
    const text = c.nanostate_strerror(rc);
    throw new NanostateError(ERROR_CODES[rc] ?? `E${rc}`, context ? `${context}: ${text}` : text);
}

function declare(koffi, lib) {
    koffi.opaque('nanostate_hub');
    koffi.struct('nanostate_value', { packed: 'const void *', size: 'size_t' });
    const output = koffi.struct('nanostate_hub_output', {
        frame: 'const void *', size: 'size_t', to: 'uint64_t', except: 'uint64_t',
    });
    const state = koffi.struct('nanostate_hub_state', {
        name: 'const void *', name_len: 'size_t', value: 'nanostate_value', sender: 'const char *',
        version: 'uint64_t', updates: 'uint64_t', changed_ms: 'int64_t',
    });
    koffi.proto('void nanostate_hub_output_fn(void *user, const nanostate_hub_output *out)');
    koffi.proto('void nanostate_hub_state_fn(void *user, const nanostate_hub_state *state)');
    koffi.proto('void nanostate_log_fn(void *user, int level, const char *msg)');
    const c = {};
    for (const prototype of [
        'const char *nanostate_strerror(int err)',
        'const char *nanostate_version()',
        'int nanostate_hub_create(_Out_ nanostate_hub **out)',
        'void nanostate_hub_close(nanostate_hub *hub)',
        'int nanostate_hub_set_int_option(nanostate_hub *hub, int option, int value)',
        'int nanostate_hub_set_string_option(nanostate_hub *hub, int option, const char *value)',
        'int nanostate_hub_load(nanostate_hub *hub)',
        'int nanostate_hub_save(nanostate_hub *hub)',
        'int nanostate_hub_bind(nanostate_hub *hub, const char *url)',
        'int nanostate_hub_fd(nanostate_hub *hub)',
        'int nanostate_hub_dispatch(nanostate_hub *hub)',
        'int nanostate_hub_timeout(nanostate_hub *hub)',
        'void nanostate_hub_on_output(nanostate_hub *hub, nanostate_hub_output_fn *fn, void *user)',
        'int nanostate_hub_peer_add(nanostate_hub *hub, _Out_ uint64_t *peer)',
        'int nanostate_hub_peer_input(nanostate_hub *hub, uint64_t peer, const void *frame, size_t size)',
        'int nanostate_hub_peer_pause(nanostate_hub *hub, uint64_t peer)',
        'int nanostate_hub_peer_resume(nanostate_hub *hub, uint64_t peer)',
        'int nanostate_hub_peer_remove(nanostate_hub *hub, uint64_t peer)',
        'const char *nanostate_hub_peer_identity(nanostate_hub *hub, uint64_t peer)',
        'size_t nanostate_hub_count(nanostate_hub *hub)',
        'int nanostate_hub_get(nanostate_hub *hub, const char *name, _Out_ nanostate_hub_state *out)',
        'void nanostate_hub_foreach(nanostate_hub *hub, nanostate_hub_state_fn *fn, void *user)',
        'void nanostate_hub_on_change(nanostate_hub *hub, nanostate_hub_state_fn *fn, void *user)',
        'int nanostate_hub_set_packed(nanostate_hub *hub, const char *name, const void *packed, size_t size)',
        'int nanostate_hub_remove(nanostate_hub *hub, const char *name)',
        'void nanostate_hub_on_log(nanostate_hub *hub, nanostate_log_fn *fn, void *user)',
        'uint64_t nanostate_hub_stat(nanostate_hub *hub, int stat)',
    ]) {
        const fn = lib.func(prototype);
        c[prototype.match(/(nanostate_\w+)\(/)[1]] = fn;
    }
    return { c, types: { output, state } };
}
