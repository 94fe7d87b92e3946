// SPDX-License-Identifier: MIT
// Builds the browser bundle: one self-contained ES module with
// @msgpack/msgpack inlined and the Node-only `ws` import left out.
//
//   node scripts/build.mjs                      -> dist/nanostate.js
//   node scripts/build.mjs --out FILE [--web DIR]
//       --out FILE  where the bundle goes
//       --web DIR   also copy web/* (the monitor page) into DIR

import { copyFileSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { build } from 'esbuild';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const msgpackLicense = readFileSync(join(root, 'node_modules', '@msgpack', 'msgpack', 'LICENSE'), 'utf8');
const args = process.argv.slice(2);
let out = join(root, 'dist', 'nanostate.js');
let web = null;
for (let i = 0; i < args.length; i++) {
    if (args[i] === '--out' && i + 1 < args.length)
        out = resolve(args[++i]);
    else if (args[i] === '--web' && i + 1 < args.length)
        web = resolve(args[++i]);
    else {
        console.error('usage: node scripts/build.mjs [--out FILE] [--web DIR]');
        process.exit(2);
    }
}

await build({
    entryPoints: [join(root, 'src', 'nanostate.js')],
    outfile: out,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: ['es2022'],
    external: ['ws'], // Node only: browsers have WebSocket
    legalComments: 'eof',
    logLevel: 'warning',
    banner: {
        js: '// SPDX-License-Identifier: MIT\n'
            + '// nanostate.js - the Nanostate App for browsers, bundled from jsnanostate/src.\n'
            + '// It includes @msgpack/msgpack, under the ISC License:\n'
            + msgpackLicense.trim().split('\n').map((line) => `//   ${line}`.trimEnd()).join('\n'),
    },
});

if (web) {
    mkdirSync(web, { recursive: true });
    for (const name of readdirSync(join(root, 'web')))
        copyFileSync(join(root, 'web', name), join(web, name));
}
console.log(`build: ${out}${web ? ` and web/* in ${web}` : ''}`);
