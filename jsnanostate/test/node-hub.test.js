// SPDX-License-Identifier: MIT
// nanostate-hub-node (the C hub engine run by Node.js through koffi) as a
// separate process, with the nanostate CLI as the C Apps; and the Hub class
// in this process.

import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'node:test';

import { Hub } from '../src/node/index.js';
import { searchPath } from '../src/node/library.js';
import { cli, cliSpawn, freePort } from './hub-process.js';
import { HUB_NODE, NodeHubProcess, nodeHubsMissing, outputMatches, runScript, tempDir } from './node-hubs.js';

const skip = nodeHubsMissing();

async function startHub(t, o = {}) {
    const hub = await NodeHubProcess.start(o);
    t.after(() => hub.stop());
    return hub;
}

async function set(hub, ...args) {
    const r = await cli(hub, ['--json', 'set', ...args]);
    assert.equal(r.code, 0, r.stderr);
}

async function dump(hub, pattern = '*') {
    const r = await cli(hub, ['dump', pattern]);
    assert.equal(r.code, 0, r.stderr);
    return r.stdout;
}

test('--help, and a wrong flag is a usage error (exit 2) as in the C hub', async () => {
    const help = await runScript(HUB_NODE, ['--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /^usage: nanostate-hub-node \[-b\|--bind URL\]/);
    for (const flag of ['--state-file', '--max-frame', '--heartbeat', '--stats', '--verbose', 'NANOSTATE_LIB'])
        assert.ok(help.stdout.includes(flag), flag);
    const cases = [
        [['--bogus'], "unknown option '--bogus'"],
        [['-x'], "unknown option '-x'"],
        [['-b'], "option '-b' needs a value"],
        [['--heartbeat', '5'], '--heartbeat takes milliseconds from 10 to 3600000'],
        [['--max-frame=12'], '--max-frame takes a number of bytes from 1024 up'],
        [['--stats=0'], '--stats takes milliseconds from 10 to 3600000'],
        [['--verbose=yes'], "option '--verbose' takes no value"],
        [['tcp://127.0.0.1:1'], 'unexpected argument (endpoints are given with -b URL)'],
    ];
    for (const [args, message] of cases) {
        const r = await runScript(HUB_NODE, args);
        assert.equal(r.code, 2, args.join(' '));
        assert.equal(r.stdout, '');
        assert.ok(r.stderr.startsWith(`nanostate-hub-node: ${message}\nusage: nanostate-hub-node `), r.stderr);
        assert.match(r.stderr, /Try 'nanostate-hub-node --help' for more\.\n$/);
    }
});

test('libnanostate not found: exit 1, saying where it looked', async (t) => {
    const dir = tempDir(t);
    const missing = join(dir, 'libnanostate.so.1');
    const r = await runScript(HUB_NODE, ['-b', 'ipc://' + join(dir, 'never.sock')],
        { env: { ...process.env, NANOSTATE_LIB: missing } });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^nanostate-hub-node: libnanostate not found\. Looked in:\n/);
    assert.ok(r.stderr.includes(`NANOSTATE_LIB=${missing}`), r.stderr);
    assert.match(r.stderr, /set NANOSTATE_LIB to the library file or its folder/);

    const folder = await runScript(HUB_NODE, [], { env: { ...process.env, NANOSTATE_LIB: dir } });
    assert.equal(folder.code, 1);
    assert.ok(folder.stderr.includes(`NANOSTATE_LIB=${dir} (a folder)`), folder.stderr);

    // Without NANOSTATE_LIB: the build folders, then the system.
    const [looked] = searchPath({ NANOSTATE_BUILD: '/b', NANOSTATE_BIN: '/b2/bin' });
    assert.equal(looked[0], 'NANOSTATE_BUILD/lib: /b/lib');
    assert.equal(looked[1], 'NANOSTATE_BIN/../lib: /b2/lib');
    assert.match(looked.at(-1), /dynamic linker/);
});

test('C Apps exchange values through the Node hub; a late joiner gets the table', { skip }, async (t) => {
    const hub = await startHub(t);
    const watcher = cliSpawn(hub, ['watch', '-n', '2', 'talk/*']);
    t.after(() => watcher.exitCode === null && watcher.kill('SIGKILL'));
    let seen = '';
    watcher.stdout.on('data', (d) => (seen += d));
    const watched = new Promise((resolve) => watcher.once('exit', resolve));
    await set(hub, 'talk/a', '1'); // before or after the watcher joined: either way it gets it
    await set(hub, 'talk/b', '{"x":[1,2]}', 'other/c', '"late"');
    assert.equal(await watched, 0);
    assert.match(seen, /talk\/a 1\n/);
    assert.match(seen, /talk\/b \{"x":\[1,2\]\}\n/);
    // A late joiner: the whole table at once.
    assert.equal(await dump(hub), 'other/c late\ntalk/a 1\ntalk/b {"x":[1,2]}\n');
    const got = JSON.parse((await cli(hub, ['--json', 'get', 'talk/b'])).stdout);
    assert.deepEqual(got.value, { x: [1, 2] });
    assert.match(got.sender, /^nanostate-cli-/);
});

test('two endpoints: an update through tcp:// reaches an App on ipc://', { skip }, async (t) => {
    const dir = tempDir(t);
    const ipc = `ipc://${join(dir, 'hub.sock')}`;
    const hub = await startHub(t, { args: ['-b', ipc] });
    await set(hub, 'via/tcp', '7');
    const r = await cli({ nnUrl: ipc }, ['get', 'via/tcp']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, '7\n');
});

test('SIGTERM and SIGINT end it cleanly, saving the state file; a new hub loads it', { skip }, async (t) => {
    const file = join(tempDir(t), 'state.msgpack');
    const hub = await startHub(t, { args: ['--state-file', file, '-v'] });
    await set(hub, 'kept/a', '"yes"', 'kept/b', '[1,2,3]');
    await hub.kill('SIGTERM');
    assert.deepEqual(await hub.exited, { code: 0, signal: null });

    await hub.start();
    await outputMatches(hub, /2 states loaded from /);
    assert.equal(await dump(hub, 'kept/*'), 'kept/a yes\nkept/b [1,2,3]\n');
    await set(hub, 'kept/c', 'null');
    await hub.kill('SIGINT');
    assert.deepEqual(await hub.exited, { code: 0, signal: null });

    await hub.start();
    assert.equal(await dump(hub, 'kept/*'), 'kept/a yes\nkept/b [1,2,3]\nkept/c null\n');
});

test('an endpoint in use or a corrupt state file: exit 1 with the reason', { skip }, async (t) => {
    const hub = await startHub(t);
    const inUse = await runScript(HUB_NODE, ['-b', hub.nnUrl]);
    assert.equal(inUse.code, 1);
    assert.match(inUse.stderr, new RegExp(`^nanostate-hub-node: cannot bind ${hub.nnUrl}: `));

    const file = join(tempDir(t), 'bad.msgpack');
    writeFileSync(file, Buffer.from([0xc1, 0xc1, 0xc1]));
    const corrupt = await runScript(HUB_NODE, ['-b', `tcp://127.0.0.1:${await freePort()}`, '--state-file', file]);
    assert.equal(corrupt.code, 1);
    assert.ok(corrupt.stderr.includes(`cannot load state file ${file}`), corrupt.stderr);
});

test('--stats publishes the hub figures as $hub/ states', { skip }, async (t) => {
    const hub = await startHub(t, { args: ['--stats=50'] });
    await set(hub, 'figures/x', '1');
    const watcher = cliSpawn(hub, ['watch', '-n', '1', '$hub/states']);
    t.after(() => watcher.exitCode === null && watcher.kill('SIGKILL'));
    let out = '';
    watcher.stdout.on('data', (d) => (out += d));
    assert.equal(await new Promise((resolve) => watcher.once('exit', resolve)), 0);
    assert.match(out, /^\$hub\/states \d+\n$/);
});

test('the Hub class in this process: binds, reports changes, sets as $hub', { skip }, async (t) => {
    const dir = tempDir(t);
    const url = `ipc://${join(dir, 'in-process.sock')}`;
    const hub = new Hub({ binds: [url], heartbeat: 100 });
    t.after(() => hub.close());
    const app = { nnUrl: url };
    const changed = new Promise((resolve) => hub.on('change', (state) => state.name === 'inproc/x' && resolve(state)));
    // The CLI waits until the hub took it: the hub's event loop runs meanwhile.
    const r = await cli(app, ['--json', '-i', 'c-app', 'set', 'inproc/x', '{"deep":[true,null]}']);
    assert.equal(r.code, 0, r.stderr);
    const state = await changed;
    assert.deepEqual(state.value, { deep: [true, null] });
    assert.equal(state.sender, 'c-app');
    assert.equal(hub.size, 1);
    assert.deepEqual(hub.get('inproc/x').value, { deep: [true, null] });
    assert.equal(hub.get('inproc/none'), undefined);

    hub.set('$inproc/from-hub', { n: 42 });
    const got = await cli(app, ['--json', 'get', '$inproc/from-hub']);
    assert.deepEqual(JSON.parse(got.stdout), { name: '$inproc/from-hub', value: { n: 42 }, sender: '$hub' });
    assert.deepEqual(hub.states().map((s) => s.name).sort(), ['$inproc/from-hub', 'inproc/x']);
    assert.ok(hub.stats.updates >= 2);
    hub.remove('inproc/x');
    assert.equal(hub.size, 1);
    hub.close();
    assert.equal(hub.closed, true);
    assert.throws(() => hub.size, { code: 'ECLOSED' });
    hub.close(); // twice is fine
});

test('five Hubs in one process serve at once; the thread pool stays free', { skip }, async (t) => {
    const dir = tempDir(t);
    // A heartbeat of an hour: only their fds' wake-ups make these hubs answer.
    const hubs = [...Array(5).keys()].map((i) => new Hub({ binds: [`ipc://${join(dir, `h${i}.sock`)}`], heartbeat: 3600000 }));
    t.after(() => hubs.forEach((hub) => hub.close()));
    // A blocked poll() per hub in libuv's pool (4 threads) would starve this.
    const { pbkdf2 } = await import('node:crypto');
    await new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('the thread pool did not run a job in 5 s')), 5000);
        pbkdf2('x', 'y', 1, 16, 'sha256', (err) => {
            clearTimeout(timer);
            return err ? reject(err) : resolve();
        });
    });
    const results = await Promise.all(hubs.map((hub, i) => cli({ nnUrl: `ipc://${join(dir, `h${i}.sock`)}` }, ['set', `multi/${i}`, 'v'])));
    results.forEach((r, i) => assert.equal(r.code, 0, `hub ${i}: ${r.stderr}`));
    assert.deepEqual(hubs.map((hub, i) => hub.get(`multi/${i}`)?.value), ['v', 'v', 'v', 'v', 'v']);
});
