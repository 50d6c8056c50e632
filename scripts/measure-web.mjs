// Measures the planner (a measurement, not a test: these machines are shared and noisy).
//   node scripts/measure-web.mjs        (after scripts/run.sh or scripts/test.sh built dist/)
// Prints: the size breakdown of the wasm before wasm-opt (twiggy: the largest functions and the
// share of each crate); gzipped and brotli bytes of wasm + JS + CSS, and the bytes Chromium
// received on the wire; navigation to the first complete render; and the time from an input
// event to the updated cost, template and diagram, p50/p95 over 60 changes.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { launch, root, startServer, stopServer } from '../tests/e2e/harness.mjs';

const BUDGET = { bytes: 300 * 1024, firstRenderMs: 120, updateP95Ms: 8 };
const dist = path.join(root, 'dist');

// Where the bytes go: twiggy on the wasm as rustc left it (names intact, before wasm-opt).
const preOpt = path.join(root, 'target/wasm32-unknown-unknown/wasm-release/app.wasm');
try {
  const all = JSON.parse(execFileSync('twiggy', ['top', '-n', '1000000', '-f', 'json', preOpt], { maxBuffer: 1 << 28 }).toString());
  // Names and wasm-bindgen's own section are custom sections that never ship.
  const custom = (i) => /^"function names"|^custom section/.test(i.name);
  const items = all.filter((i) => !custom(i));
  const total = items.reduce((n, i) => n + i.shallow_size, 0);
  const dropped = all.filter(custom).reduce((n, i) => n + i.shallow_size, 0);
  console.log(`wasm before wasm-opt: ${(total / 1024).toFixed(1)} KB of code and data (twiggy top, shallow sizes; ${(dropped / 1024).toFixed(0)} KB of custom sections not counted)`);
  console.log('largest items:');
  for (const i of items.slice(0, 15)) console.log(`  ${String(i.shallow_size).padStart(8)} B  ${i.name.slice(0, 110)}`);
  // A function's crate is the first path segment of its demangled name (impls `<a::B as c::D>`
  // count for the type's crate); data segments and the like are their own group.
  const crate = (name) => {
    const n = name.replace(/^<+/, '');
    const m = /^([a-z_][a-z0-9_]*)::/.exec(n);
    if (m) return m[1];
    if (/^data segment|^data\[/.test(name)) return '(data segments)';
    return '(other: tables, types, unnamed functions)';
  };
  const by = new Map();
  for (const i of items) by.set(crate(i.name), (by.get(crate(i.name)) ?? 0) + i.shallow_size);
  console.log('by crate:');
  for (const [c, n] of [...by].sort((a, b) => b[1] - a[1]).slice(0, 15)) {
    console.log(`  ${String(n).padStart(8)} B ${(100 * n / total).toFixed(1).padStart(5)}%  ${c}`);
  }
} catch (e) {
  console.log(`(no size breakdown: twiggy on ${preOpt} failed: ${e.message.split('\n')[0]})`);
}

let gzTotal = 0;
let brTotal = 0;
for (const f of fs.readdirSync(dist).filter((f) => /\.(wasm|js|css)$/.test(f)).sort()) {
  const raw = fs.readFileSync(path.join(dist, f));
  const gz = zlib.gzipSync(raw, { level: 9 }).length;
  const br = zlib.brotliCompressSync(raw, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
  gzTotal += gz;
  brTotal += br;
  console.log(`${f.padEnd(40)} ${String(raw.length).padStart(9)} B raw ${String(gz).padStart(8)} B gzip ${String(br).padStart(8)} B brotli`);
}
console.log(`total: ${(gzTotal / 1024).toFixed(1)} KB gzipped, ${(brTotal / 1024).toFixed(1)} KB brotli (budget ${BUDGET.bytes / 1024} KB gzipped)`);

const server = await startServer();
const browser = await launch();
const renders = [];
let wire = 0;
for (let i = 0; i < 5; i++) {
  const page = await browser.newPage();
  const sizes = [];
  if (i === 0) {
    page.on('requestfinished', (r) => {
      if (/\.(wasm|js|css)$/.test(new URL(r.url()).pathname)) sizes.push(r.sizes().then((s) => s.responseBodySize));
    });
  }
  await page.goto(server.url);
  if (i === 0) {
    await page.waitForLoadState('networkidle');
    wire = (await Promise.all(sizes)).reduce((a, b) => a + b, 0);
  }
  await page.waitForFunction(() => performance.getEntriesByName('stackplan-rendered').length > 0);
  renders.push(await page.evaluate(() => performance.getEntriesByName('stackplan-rendered')[0].startTime));
  if (i < 4) await page.close();
}
const page = (await browser.contexts()[0].pages()).at(-1);
// Tasks follow the traffic between the minimum and the maximum, so the minimum moves the cost,
// the template (MinCapacity) and the diagram (its hover cost); the desired count goes to 10
// first, so that every minimum from 2 to 9 is valid.
await page.locator('#f-fargate-desired_tasks').fill('10');
await page.waitForFunction(() => document.querySelector('pre.code').textContent.includes('"DesiredCount": {"Fn::If": ["WaitingForImage", 0, 10]}'));
const samples = [];
for (let i = 0; i < 60; i++) {
  const value = 2 + ((i + 1) % 8); // minimum tasks 2..9, always a change
  samples.push(await page.evaluate((v) => new Promise((resolve) => {
    const input = document.querySelector('#f-fargate-min_tasks');
    const cost = document.querySelector('[data-testid=monthly-total]');
    const code = document.querySelector('pre.code');
    const diagram = document.querySelector('[data-testid=topology]');
    const seen = new Set();
    let t0 = 0;
    const obs = new MutationObserver((records) => {
      for (const r of records) {
        if (cost.contains(r.target)) seen.add('cost');
        if (code.contains(r.target)) seen.add('template');
        if (diagram.contains(r.target)) seen.add('diagram');
      }
      if (seen.size === 3) { obs.disconnect(); resolve(performance.now() - t0); }
    });
    obs.observe(cost, { childList: true, subtree: true, characterData: true });
    obs.observe(code, { childList: true, subtree: true, characterData: true });
    obs.observe(diagram, { childList: true, subtree: true, characterData: true });
    t0 = performance.now();
    input.value = String(v);
    input.dispatchEvent(new Event('input', { bubbles: true }));
  }), value));
}
await browser.close();
stopServer(server);

const pct = (xs, p) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]; };
console.log(`first complete render: median ${pct(renders, 50).toFixed(1)} ms of ${renders.map((r) => r.toFixed(0)).join(', ')} (budget ${BUDGET.firstRenderMs} ms)`);
console.log(`bytes on the wire (wasm + JS + CSS, as Chromium received them): ${(wire / 1024).toFixed(1)} KB`);
console.log(`input → cost, template and diagram updated: p50 ${pct(samples, 50).toFixed(1)} ms, p95 ${pct(samples, 95).toFixed(1)} ms, max ${Math.max(...samples).toFixed(1)} ms over ${samples.length} changes (budget p95 ${BUDGET.updateP95Ms} ms)`);
