// SPDX-License-Identifier: MIT
// The web monitor page in headless Chromium (driven by playwright-core over
// CDP; Debian's /usr/bin/chromium, never a downloaded browser), served by a
// real nanostate-hubws, with the nanostate CLI as the C App on the other side.
// Run by test_browser.sh: node --test --test-reporter=tap this file.

import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import test from 'node:test';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const source = process.env.NANOSTATE_SOURCE ?? join(here, '..', '..');
const jsRoot = join(source, 'jsnanostate');
const { chromium } = createRequire(join(jsRoot, 'package.json'))('playwright-core');
const { HubProcess, cli, cliSpawn } = await import(join(jsRoot, 'test', 'hub-process.js'));

const CHROMIUM = process.env.NANOSTATE_CHROMIUM ?? '/usr/bin/chromium';
const FLAGS = [
    '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
];
const WAIT = { timeout: 10000 };

function scratch() {
    const base = process.env.NANOSTATE_TEST_TMP ?? tmpdir();
    return mkdtempSync(join(base, 'chromium-'));
}

function screenshotPath() {
    const dir = process.env.NANOSTATE_BUILD ? join(process.env.NANOSTATE_BUILD, 'test-logs') : scratch();
    mkdirSync(dir, { recursive: true });
    return join(dir, 'browser-monitor.png');
}

// The hub, the browser and the page, shared by the tests below in order.
let hub;
let context;
let page;
const pageErrors = [];

test.before(async () => {
    hub = await HubProcess.start({ statsMs: 500 });
    const r = await cli(hub, ['--json', '-i', 'c-app', 'set', 'browser/greeting', '"hello from C"', 'browser/speed', '0.7']);
    assert.equal(r.code, 0, r.stderr);
    // A fresh profile: launchPersistentContext gives Chromium --user-data-dir.
    context = await chromium.launchPersistentContext(scratch(), {
        executablePath: CHROMIUM,
        headless: true,
        args: FLAGS,
        viewport: { width: 1100, height: 700 },
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.on('pageerror', (err) => pageErrors.push(err.message));
    page.on('console', (msg) => {
        if (msg.type() === 'error')
            pageErrors.push(msg.text());
    });
});

test.after(async () => {
    await context?.close();
    await hub?.stop();
});

const row = (name) => `tr[data-name="${name}"]`;
const valueCell = (name) => `${row(name)} td.value`;

test('the page shows the states a C App set, live', async () => {
    const response = await page.goto(hub.httpUrl);
    assert.equal(response.status(), 200);
    await page.waitForSelector(`${valueCell('browser/greeting')}:has-text("hello from C")`, WAIT);
    assert.equal(await page.textContent(`${row('browser/greeting')} td.sender`), 'c-app');
    assert.equal(await page.textContent(`${row('browser/greeting')} td.type`), 'str');
    assert.equal(await page.textContent(valueCell('browser/speed')), '0.7');
    assert.equal(await page.textContent(`${row('browser/speed')} td.type`), 'float');
    await page.waitForSelector('#status[data-state="synced"]', WAIT);
    // A change made now arrives without a reload.
    const r = await cli(hub, ['--json', 'set', 'browser/speed', '0.9']);
    assert.equal(r.code, 0, r.stderr);
    await page.waitForSelector(`${valueCell('browser/speed')}:has-text("0.9")`, WAIT);
    assert.equal(await page.textContent(`${row('browser/speed')} td.updates`), '2');
});

test('the hub\'s $hub/ figures are shown', async () => {
    await page.waitForSelector('#figures [data-name^="$hub/"]', WAIT);
    const names = await page.$$eval('#figures [data-name]', (items) => items.map((el) => el.dataset.name));
    assert.ok(names.every((n) => n.startsWith('$hub/')), names.join(' '));
    assert.equal(await page.$(row('$hub/clients')), null, 'not in the table unless the filter asks');
});

test('the glob filter: * matches across /', async () => {
    await cli(hub, ['--json', 'set', 'robot/arm/angle', '12', 'robot/mode', '"auto"']);
    await page.waitForSelector(row('robot/arm/angle'), WAIT);
    await page.fill('#filter', 'robot/*');
    await page.waitForSelector(row('browser/speed'), { state: 'detached', ...WAIT });
    const names = await page.$$eval('#states tbody tr', (rows) => rows.map((tr) => tr.dataset.name));
    assert.deepEqual(names, ['robot/arm/angle', 'robot/mode']);
    await page.fill('#filter', 'robot/?ode');
    await page.waitForSelector(row('robot/arm/angle'), { state: 'detached', ...WAIT });
    await page.fill('#filter', '');
    await page.waitForSelector(row('browser/speed'), WAIT);
});

test('editing a value in the page reaches a C App', async () => {
    // A C App watching (it prints the current value first, then changes).
    const watch = cliSpawn(hub, ['--json', 'watch', '-n', '2', 'browser/speed']);
    let watched = '';
    watch.stdout.on('data', (d) => (watched += d));
    const watchDone = new Promise((resolve) => watch.once('exit', resolve));
    const timer = setTimeout(() => watch.kill('SIGKILL'), 10000);
    // Wait for the watcher's first line so that the edit comes after it.
    await new Promise((resolve) => {
        const check = () => (watched.includes('\n') ? resolve() : watch.stdout.once('data', check));
        check();
    });

    await page.click(valueCell('browser/speed'));
    const input = `${valueCell('browser/speed')} input`;
    await page.waitForSelector(input, WAIT);
    await page.fill(input, '1.25');
    await page.press(input, 'Enter');
    await page.waitForSelector(`${valueCell('browser/speed')}:has-text("1.25")`, WAIT);
    await watchDone;
    clearTimeout(timer);
    const lines = watched.trim().split('\n').map((line) => JSON.parse(line));
    assert.equal(lines.length, 2, watched);
    assert.equal(lines[1].value, 1.25);
    assert.match(lines[1].sender, /^web-/);

    // Text that is not JSON goes as a string; a new state from the form.
    await page.click(valueCell('browser/greeting'));
    await page.fill(`${valueCell('browser/greeting')} input`, 'hello from the page');
    await page.press(`${valueCell('browser/greeting')} input`, 'Enter');
    await page.fill('#new-name', 'browser/new');
    await page.fill('#new-value', '{"x": [1, true]}');
    await page.click('#new-state button');
    await page.evaluate(() => globalThis.nanostateApp.flush(5000));
    const greeting = await cli(hub, ['--json', 'get', 'browser/greeting']);
    assert.equal(JSON.parse(greeting.stdout).value, 'hello from the page');
    const created = await cli(hub, ['--json', 'get', 'browser/new']);
    assert.deepEqual(JSON.parse(created.stdout).value, { x: [1, true] });
});

test('a screenshot of the page', async (t) => {
    await page.fill('#filter', '');
    await page.waitForSelector(row('browser/new'), WAIT);
    const path = screenshotPath();
    await page.screenshot({ path, fullPage: true });
    t.diagnostic(`screenshot: ${path}`);
    assert.deepEqual(pageErrors, []);
});
