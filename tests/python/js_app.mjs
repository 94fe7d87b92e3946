// SPDX-License-Identifier: MIT
// A JavaScript App for the Python tests: node js_app.mjs NANOSTATE_JS WS_URL
// Sets js/* values, waits for py/done, prints the py/* values it saw as one
// JSON line (bytes as {"base64": ...}, timestamps as {"date": ISO}).
const [, , modulePath, url] = process.argv;
const { Nanostate } = await import(modulePath);

const app = new Nanostate(url, { identity: 'js-app' });
await app.ready(5000);
app.set('js/str', 'from JS ✓');
app.set('js/int', -7);
app.set('js/float', 2.5);
app.set('js/bool', true);
app.set('js/nil', null);
app.set('js/list', [1, 'two', [3]]);
app.set('js/map', { a: 1, b: [false] });
app.set('js/bytes', new Uint8Array([0, 1, 255]));
await app.flush(5000);

function show(v) {
    if (v instanceof Uint8Array) return { base64: Buffer.from(v).toString('base64') };
    if (v instanceof Date) return { date: v.toISOString() };
    if (typeof v === 'bigint') return v.toString();
    if (Array.isArray(v)) return v.map(show);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, show(x)]));
    return v;
}

const deadline = Date.now() + 5000;
while (!app.states.has('py/done') && Date.now() < deadline)
    await new Promise((resolve) => setTimeout(resolve, 20));
const seen = {};
for (const [name, value] of app.states)
    if (name.startsWith('py/')) seen[name] = show(value);
console.log(JSON.stringify(seen));
app.close();
