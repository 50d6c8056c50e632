// Where the planner's first render spends its time: a CPU profile of page loads up to the
// `stackplan-rendered` mark (a measurement, not a test: these machines are shared and noisy).
//   node scripts/profile-web.mjs [loads]   (after scripts/run.sh or scripts/test.sh built dist/)
// The shipped wasm has no names, so this serves a copy of dist/ whose wasm is the same build put
// through the same steps as the shipped one (build-wasm.mjs: wasm-split-cli, wasm-bindgen, then
// wasm-opt -Oz) with its names kept (as the size breakdown in measure-web.mjs does); the chunks
// are the shipped ones (the name section changes neither the planner's table nor its exports,
// and the loads and edits profiled never bring the deploy panel near). Chromium samples every
// 100 µs; the first load only warms the server and the browser's caches and is left out.
// Sampling and the name section slow a load, so the shares count more than the milliseconds.
// Then profiles 60 edits on the last page, as measure-web.mjs makes them.
// Prints, for the loads and for the edits: the time by kind (compiling, the wasm's own code, the
// DOM calls it makes, JS glue, garbage collection), the functions with the most time of their
// own, and the planner's own functions (crates app and shared) with the time under each.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { launch, root, startServer, stopServer } from '../tests/e2e/harness.mjs';
import { LOADER_IMPORT } from './build-wasm.mjs';
import { namedBuild } from './named-wasm.mjs';

const loads = Number(process.argv[2] ?? 5);
if (!Number.isInteger(loads) || loads < 1) {
  console.error('usage: node scripts/profile-web.mjs [loads, a whole number from 1]');
  process.exit(2);
}
const dist = path.join(root, 'dist');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'stackplan-profile-'));
let server;
let browser;
try {
  const bound = path.join(tmp, 'bound');
  const namedWasm = namedBuild(bound);
  // The copy: the shipped files, without their precompressed twins (they would be served in place
  // of the named wasm) and without integrity hashes (the named files do not match them).
  const named = path.join(tmp, 'dist');
  fs.cpSync(dist, named, { recursive: true, filter: (f) => !/\.(br|gz)$/.test(f) });
  const top = fs.readdirSync(named);
  const wasm = top.find((f) => /^app-[0-9a-f]+_bg\.wasm$/.test(f));
  const js = top.find((f) => /^app-[0-9a-f]+\.js$/.test(f));
  if (!wasm || !js) throw new Error(`no app-*_bg.wasm and app-*.js in ${dist}: build it first (scripts/run.sh or scripts/test.sh)`);
  fs.copyFileSync(namedWasm, path.join(named, wasm));
  // The named JS imports the chunk loader by the name wasm-split gave it; the shipped loader
  // (`split-<hash>.js`) imports the JS by the shipped name, which the named JS takes.
  const loader = top.find((f) => /^split-[0-9a-f]+\.js$/.test(f));
  if (!loader) throw new Error(`no split-*.js in ${dist}: build it first (scripts/run.sh or scripts/test.sh)`);
  fs.writeFileSync(path.join(named, js), fs.readFileSync(path.join(bound, 'app.js'), 'utf8')
    .replaceAll(`from "${LOADER_IMPORT}"`, `from "./${loader}"`));
  fs.cpSync(path.join(bound, 'snippets'), path.join(named, 'snippets'), { recursive: true });
  const index = path.join(named, 'index.html');
  fs.writeFileSync(index, fs.readFileSync(index, 'utf8').replace(/ integrity="[^"]*"/g, ''));

  server = await startServer([], { dist: named });
  browser = await launch();
  const load = tally();
  const rendered = [];
  let page;
  for (let i = 0; i <= loads; i++) {
    if (page) await page.close();
    page = await browser.newPage();
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Profiler.enable');
    await cdp.send('Profiler.setSamplingInterval', { interval: 100 });
    // The profile runs from the document's first script to the mark, as the page itself says.
    await page.addInitScript(() => {
      console.profile('first-render');
      new PerformanceObserver((list) => {
        if (list.getEntries().some((e) => e.name === 'stackplan-rendered')) console.profileEnd('first-render');
      }).observe({ type: 'mark' });
    });
    const finished = new Promise((resolve) => cdp.on('Profiler.consoleProfileFinished', (e) => resolve(e.profile)));
    await page.goto(server.url);
    const profile = await finished;
    if (i === 0) continue;
    rendered.push(await page.evaluate(() => performance.getEntriesByName('stackplan-rendered')[0].startTime));
    load.add(profile);
  }
  rendered.sort((a, b) => a - b);
  report(`${loads} loads to the first complete render (names kept, sampled: slower than measure-web.mjs), median ${rendered[Math.floor((loads - 1) / 2)].toFixed(0)} ms`, load, loads, 'a load');

  // Edits, as measure-web.mjs makes them: the minimum task count, from 2 to 9 (the desired
  // count first goes to 10), each waited for until the cost, the template and the diagram
  // changed. Profiled after the page's warm-up (warm.rs) ran, as a user's edits would be.
  await page.locator('#f-fargate-desired_tasks').fill('10');
  await page.waitForFunction(() => document.querySelector('pre.code').textContent.includes('"DesiredCount": {"Fn::If": ["WaitingForImage", 0, 10]}'));
  await page.waitForTimeout(500);
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 100 });
  await cdp.send('Profiler.start');
  const edits = 60;
  for (let i = 0; i < edits; i++) {
    await page.evaluate((v) => new Promise((resolve) => {
      const areas = ['[data-testid=monthly-total]', 'pre.code', '[data-testid=topology]'].map((q) => document.querySelector(q));
      const seen = new Set();
      const obs = new MutationObserver((records) => {
        for (const r of records) areas.forEach((a, k) => { if (a.contains(r.target)) seen.add(k); });
        if (seen.size === areas.length) { obs.disconnect(); resolve(); }
      });
      for (const a of areas) obs.observe(a, { childList: true, subtree: true, characterData: true });
      const input = document.querySelector('#f-fargate-min_tasks');
      input.value = String(v);
      input.dispatchEvent(new Event('input', { bubbles: true }));
    }), 2 + ((i + 1) % 8));
  }
  const { profile } = await cdp.send('Profiler.stop');
  const edit = tally();
  edit.add(profile);
  report(`${edits} edits (input to cost, template and diagram updated, and what follows them until the next edit)`, edit, edits, 'an edit');
} finally {
  await browser?.close();
  stopServer(server);
  fs.rmSync(tmp, { recursive: true, force: true });
}

/** Time of a set of CPU profiles: by function (its own), and under each of our functions. */
function tally() {
  const self = new Map();
  const under = new Map();
  let total = 0;
  return {
    self, under, get total() { return total; },
    add(profile) {
      const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
      const parent = new Map();
      for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
      profile.samples.forEach((id, k) => {
        const us = profile.timeDeltas[k + 1] ?? 0; // a sample's time runs to the next sample
        if (nodes.get(id).callFrame.functionName === '(idle)') return;
        total += us;
        self.set(label(nodes.get(id)), (self.get(label(nodes.get(id))) ?? 0) + us);
        // Each of our functions on the stack, once, however deep it recurs.
        const seen = new Set();
        for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
          const name = ours(nodes.get(cur).callFrame.functionName);
          if (name && !seen.has(name)) {
            seen.add(name);
            under.set(name, (under.get(name) ?? 0) + us);
          }
        }
      });
    },
  };
}

/** Prints a tally: by kind, the most time of their own, and under our functions; per `per`. */
function report(title, t, runs, per) {
  const ms = (us) => (us / 1000 / runs).toFixed(2).padStart(8);
  const share = (us) => `${(100 * us / t.total).toFixed(1).padStart(5)}%`;
  console.log(`${title}; busy ${ms(t.total).trim()} ms ${per}`);
  const kinds = new Map();
  for (const [name, us] of t.self) kinds.set(kind(name), (kinds.get(kind(name)) ?? 0) + us);
  console.log(`  by kind (ms ${per}):`);
  for (const [k, us] of [...kinds].sort((a, b) => b[1] - a[1])) console.log(`  ${ms(us)} ms ${share(us)}  ${k}`);
  console.log('  most time of their own:');
  for (const [name, us] of [...t.self].sort((a, b) => b[1] - a[1]).slice(0, 20)) console.log(`  ${ms(us)} ms ${share(us)}  ${name.slice(0, 110)}`);
  console.log("  the planner's own functions, with the time under each:");
  for (const [name, us] of [...t.under].sort((a, b) => b[1] - a[1]).slice(0, 30)) console.log(`  ${ms(us)} ms ${share(us)}  ${name.slice(0, 110)}`);
}

/** A profile node's function, without the hash Rust appends to a symbol. */
function label(node) {
  const { functionName, url } = node.callFrame;
  return (functionName || `(anonymous ${url ? path.basename(url) : 'code'})`).replace(/::h[0-9a-f]{16}$/, '');
}

/** One of our own functions (crates `app` and `shared`), its closures counted as itself. */
function ours(name) {
  const n = name.replace(/::h[0-9a-f]{16}$/, '').replace(/(::\{\{closure\}\})+$/, '');
  return /^<?(app|shared)::/.test(n) ? n : null;
}

/** What a function with time of its own is: the browser's (compiling, GC), ours, or the DOM's. */
function kind(name) {
  if (name === '(program)') return "the browser's own work (compiling the wasm, parsing, loading)";
  if (name === '(garbage collector)') return 'garbage collection';
  if (/::|^wasm-function|^dlmalloc|^memcpy|^memset|^main$/.test(name)) return 'the wasm (Rust: views, reactive graph, estimate, template, diagram)';
  if (/^(wasm-to-js|js-to-wasm|handleError|real|getStringFromWasm0|passStringToWasm0|decodeText|getArrayU8FromWasm0|addHeapObject|takeObject|getObject|dropObject|isLikeNone|__wbg_init.*|__wbg_finalize_init|__wbg_load|\(anonymous .*)$/.test(name)) {
    return "JS: wasm-bindgen's glue and the loader";
  }
  // wasm-bindgen's import shims (`__wbg_set_innerHTML_…`) hold the DOM's own time: Chromium
  // counts a DOM setter's time to the JS that called it.
  return 'the DOM (innerHTML, createElement, insertBefore, …)';
}
