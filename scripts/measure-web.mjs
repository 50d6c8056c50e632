// Measures the planner (a measurement, not a test: these machines are shared and noisy).
//   node scripts/measure-web.mjs        (after scripts/run.sh or scripts/test.sh built dist/)
// Prints: the size breakdown of the shipped wasm (twiggy: the largest functions and the share of
// each crate); gzipped and brotli bytes of wasm + JS + CSS, and the bytes Chromium
// received on the wire; navigation to the first complete render (in the document, and painted;
// for a first visit, the target's figure, and for a returning one);
// and the time from an input event to the updated cost, template and diagram, and to the frame
// that shows them (laid out and painted), p50/p95 over 60 changes.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { launch, root, startServer, stopServer } from '../tests/e2e/harness.mjs';
import { namedBuild, tools } from './named-wasm.mjs';

const BUDGET = { bytes: 300 * 1024, firstRenderMs: 120, updateP95Ms: 8 };
const dist = path.join(root, 'dist');

// Where the bytes go: twiggy on the wasm as it ships, with its names kept (named-wasm.mjs).
const preOpt = path.join(root, 'target/wasm32-unknown-unknown/wasm-release/app.wasm');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'stackplan-size-'));
try {
  const named = namedBuild(tmp, ['install_twiggy']);
  const all = JSON.parse(execFileSync('twiggy', ['top', '-n', '1000000', '-f', 'json', named], tools).toString());
  // The name section is what was kept for this breakdown; it never ships.
  const items = all.filter((i) => !/names" subsection|^custom section/.test(i.name));
  const total = items.reduce((n, i) => n + i.shallow_size, 0);
  const data = items.filter((i) => /^data segment/.test(i.name)).reduce((n, i) => n + i.shallow_size, 0);
  console.log(`shipped wasm: ${(total / 1024).toFixed(1)} KB raw, of which ${(data / 1024).toFixed(1)} KB data segments (twiggy top on the wasm-bindgen + wasm-opt -Oz output with names kept)`);
  console.log('largest items:');
  for (const i of items.slice(0, 15)) console.log(`  ${String(i.shallow_size).padStart(8)} B  ${i.name.slice(0, 110)}`);
  // A function's crate is the first path segment of its demangled name; a generic function of
  // another crate (`<T as tachys::view::Render>::build`) counts for the crate that wrote it.
  const crate = (name) => {
    const n = name.replace(/\[[0-9a-f]+\]/g, '');
    const m = /^<(?:T|&mut|&|F|\(\)) as ([a-z_][a-z0-9_]*)::/.exec(n) ?? /^<*([a-z_][a-z0-9_]*)::/.exec(n);
    if (m) return m[1];
    if (/^data segment/.test(name)) return '(data segments)';
    return '(other: tables, imports, unnamed functions)';
  };
  const by = new Map();
  for (const i of items) by.set(crate(i.name), (by.get(crate(i.name)) ?? 0) + i.shallow_size);
  console.log('by crate:');
  for (const [c, n] of [...by].sort((a, b) => b[1] - a[1]).slice(0, 15)) {
    console.log(`  ${String(n).padStart(8)} B ${(100 * n / total).toFixed(1).padStart(5)}%  ${c}`);
  }
} catch (e) {
  console.log(`(no size breakdown of ${preOpt}: ${e.message.split('\n')[0]})`);
} finally {
  fs.rmSync(tmp, { recursive: true, force: true });
}

// What the page loads to start (the planner, its JS, its chunk loader and CSS), and what it
// loads only when the deploy panel's card comes near the view (the chunks split from the
// planner's wasm: `split_deploy-<hash>.wasm`, and `chunk_*` for code only chunks share).
const walk = (d) => fs.readdirSync(d, { withFileTypes: true }).flatMap((e) =>
  e.isDirectory() ? walk(path.join(d, e.name)) : [path.join(d, e.name)]);
const shipped = walk(dist).map((f) => path.relative(dist, f)).filter((f) => /\.(wasm|js|css)$/.test(f) && !f.startsWith('public/')).sort();
const measure = (files) => {
  let gz = 0;
  let br = 0;
  for (const f of files) {
    const raw = fs.readFileSync(path.join(dist, f));
    const g = zlib.gzipSync(raw, { level: 9 }).length;
    const b = zlib.brotliCompressSync(raw, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
    gz += g;
    br += b;
    console.log(`  ${f.padEnd(48)} ${String(raw.length).padStart(9)} B raw ${String(g).padStart(8)} B gzip ${String(b).padStart(8)} B brotli`);
  }
  return { gz, br };
};
console.log('loaded to start:');
const chunk = (f) => /^(split|chunk)_\w+-[0-9a-f]{16}\.wasm$/.test(f);
const start = measure(shipped.filter((f) => !chunk(f)));
console.log(`total: ${(start.gz / 1024).toFixed(1)} KB gzipped, ${(start.br / 1024).toFixed(1)} KB brotli (budget ${BUDGET.bytes / 1024} KB gzipped)`);
console.log('loaded when the deploy panel comes near the view:');
const later = measure(shipped.filter(chunk));
console.log(`deploy panel: ${(later.gz / 1024).toFixed(1)} KB gzipped, ${(later.br / 1024).toFixed(1)} KB brotli`);

const server = await startServer();
const browser = await launch();
// Where each first render's time goes, from the navigation's start: the page's HTML in, the
// wasm in, the wasm compiled and instantiated, and the planner's own start (Rust's `main`:
// building every view, the first estimate, template and diagram), which ends when the page's
// start script says the application started (`TrunkApplicationStarted`, as Trunk's did).
// `instrument` marks the instantiation's start and end, and that event.
const instrument = () => {
  const streaming = WebAssembly.instantiateStreaming;
  WebAssembly.instantiateStreaming = async function (...args) {
    performance.mark('measure-instantiate-start');
    const out = await streaming.apply(this, args);
    performance.mark('measure-instantiated');
    return out;
  };
  addEventListener('TrunkApplicationStarted', () => performance.mark('measure-started'));
};
const phases = [];
let wire = 0;
for (let i = 0; i < 5; i++) {
  const page = await browser.newPage();
  await page.addInitScript(instrument);
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
  // The mark is set as the frame holding the complete planner starts. That frame on the screen
  // (style, layout, paint and raster done) is the first largest contentful paint after the
  // mark: the planner's cards are far larger than the page's "Loading the planner…", whose
  // paint is the first contentful one.
  await page.waitForFunction(() => performance.getEntriesByName('stackplan-rendered').length > 0 &&
    performance.getEntriesByName('first-contentful-paint').length > 0);
  phases.push(await page.evaluate(async () => {
    const at = (name) => performance.getEntriesByName(name)[0]?.startTime ?? NaN;
    const wasm = performance.getEntriesByType('resource').find((e) => e.name.endsWith('.wasm'));
    const rendered = at('stackplan-rendered');
    const painted = await new Promise((resolve) => {
      new PerformanceObserver((list, observer) => {
        const after = list.getEntries().find((e) => e.startTime >= rendered);
        if (after) { observer.disconnect(); resolve(after.startTime); }
      }).observe({ type: 'largest-contentful-paint', buffered: true });
      setTimeout(() => resolve(NaN), 5000); // none: the figure says NaN rather than hang
    });
    return {
      html: performance.getEntriesByType('navigation')[0].responseEnd,
      wasmAsked: wasm ? wasm.startTime : NaN,
      wasmAnswered: wasm ? wasm.responseStart : NaN,
      wasm: wasm ? wasm.responseEnd : NaN,
      instantiateStart: at('measure-instantiate-start'),
      instantiated: at('measure-instantiated'),
      started: at('measure-started'),
      rendered,
      painted,
      loading: at('first-contentful-paint'),
    };
  }));
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
      if (seen.size === 3) {
        obs.disconnect();
        // Then the frame that shows it: a message posted in its animation-frame callback is
        // handled once that frame's style, layout and paint are done.
        const updated = performance.now() - t0;
        requestAnimationFrame(() => {
          const channel = new MessageChannel();
          channel.port1.onmessage = () => resolve([updated, performance.now() - t0]);
          channel.port2.postMessage(null);
        });
      }
    });
    obs.observe(cost, { childList: true, subtree: true, characterData: true });
    obs.observe(code, { childList: true, subtree: true, characterData: true });
    obs.observe(diagram, { childList: true, subtree: true, characterData: true });
    t0 = performance.now();
    input.value = String(v);
    input.dispatchEvent(new Event('input', { bubbles: true }));
  }), value));
}
// A returning visitor: the same browser profile opens the planner again. Every file comes from
// the HTTP cache (the server marks them immutable), and V8 has cached the wasm's compiled code,
// which it does a while after a module's first use: hence the wait after the first visit.
const returning = [];
{
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.addInitScript(instrument);
  for (let i = 0; i < 6; i++) {
    await page.goto(server.url);
    await page.waitForFunction(() => performance.getEntriesByName('stackplan-rendered').length > 0);
    const r = await page.evaluate(() => ({
      rendered: performance.getEntriesByName('stackplan-rendered')[0].startTime,
      instantiated: performance.getEntriesByName('measure-instantiated')[0]?.startTime ?? NaN,
      started: performance.getEntriesByName('measure-started')[0]?.startTime ?? NaN,
      // 0 bytes over the network: the wasm came from the cache.
      wasmBytes: performance.getEntriesByType('resource').find((e) => e.name.endsWith('.wasm'))?.transferSize,
    }));
    if (i > 0) returning.push(r);
    await page.waitForTimeout(i === 0 ? 5000 : 1000);
  }
  await context.close();
}
await browser.close();
stopServer(server);

const renders = phases.map((p) => p.rendered);
const painted = phases.map((p) => p.painted);
const pct = (xs, p) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]; };
// The budget is the figure, measured at the mark as when it was set; the painted time
// is reported beside it.
console.log(`first complete render: median ${pct(renders, 50).toFixed(1)} ms of ${renders.map((r) => r.toFixed(0)).join(', ')} (budget ${BUDGET.firstRenderMs} ms)`);
console.log(`  on the screen (the largest contentful paint after the mark): median ${pct(painted, 50).toFixed(1)} ms of ${painted.map((r) => r.toFixed(0)).join(', ')}; ` +
  `the frame's style, layout, paint and raster take ${pct(painted.map((p, i) => p - renders[i]), 50).toFixed(1)} ms after the mark (median)`);
console.log(`  "Loading the planner…" on the screen (the first contentful paint): median ${pct(phases.map((p) => p.loading), 50).toFixed(1)} ms`);
const median = (f) => pct(phases.map(f), 50).toFixed(1);
console.log(`  where it goes (medians, ms from the navigation's start): HTML in ${median((p) => p.html)}, wasm in ${median((p) => p.wasm)}, ` +
  `(asked for at ${median((p) => p.wasmAsked)}, its first byte at ${median((p) => p.wasmAnswered)}), ` +
  `instantiating ${median((p) => p.instantiateStart)}–${median((p) => p.instantiated)}, ` +
  `the planner's start (views, estimate, template, diagram) ${median((p) => p.started - p.instantiated)} ms, ` +
  `then the rendered frame ${median((p) => p.rendered - p.started)} ms later`);
const again = returning.map((r) => r.rendered);
console.log(`  a returning visitor (the files from the HTTP cache${returning.every((r) => r.wasmBytes === 0) ? '' : ', though not all of them'}): ` +
  `median ${pct(again, 50).toFixed(1)} ms of ${again.map((r) => r.toFixed(0)).join(', ')}; the planner's start ${pct(returning.map((r) => r.started - r.instantiated), 50).toFixed(1)} ms of it`);
console.log(`bytes on the wire to start (wasm + JS + CSS, as Chromium received them): ${(wire / 1024).toFixed(1)} KB`);
const updates = samples.map(([updated]) => updated);
const shown = samples.map(([, painted]) => painted);
console.log(`input → cost, template and diagram updated: p50 ${pct(updates, 50).toFixed(1)} ms, p95 ${pct(updates, 95).toFixed(1)} ms, max ${Math.max(...updates).toFixed(1)} ms over ${samples.length} changes (budget p95 ${BUDGET.updateP95Ms} ms)`);
console.log(`  on the screen (the frame after it laid out and painted): p50 ${pct(shown, 50).toFixed(1)} ms, p95 ${pct(shown, 95).toFixed(1)} ms, max ${Math.max(...shown).toFixed(1)} ms`);
