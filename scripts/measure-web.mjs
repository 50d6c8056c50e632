// Measures the planner (a measurement, not a test: these machines are shared and noisy).
//   node scripts/measure-web.mjs        (after scripts/run.sh or scripts/test.sh built dist/)
// Prints: gzipped bytes of wasm + JS + CSS; navigation to the first complete render; and the
// time from an input event to the updated cost and template, p50/p95 over 60 changes.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { launch, root, startServer, stopServer } from '../tests/e2e/harness.mjs';

const BUDGET = { bytes: 400 * 1024, firstRenderMs: 500, updateP95Ms: 16 };
const dist = path.join(root, 'dist');
let total = 0;
for (const f of fs.readdirSync(dist).filter((f) => /\.(wasm|js|css)$/.test(f)).sort()) {
  const raw = fs.readFileSync(path.join(dist, f));
  const gz = zlib.gzipSync(raw, { level: 9 }).length;
  total += gz;
  console.log(`${f.padEnd(40)} ${String(raw.length).padStart(9)} B raw ${String(gz).padStart(8)} B gzipped`);
}
console.log(`total gzipped: ${(total / 1024).toFixed(1)} KB (budget ${BUDGET.bytes / 1024} KB)`);

const server = await startServer();
const browser = await launch();
const renders = [];
for (let i = 0; i < 5; i++) {
  const page = await browser.newPage();
  await page.goto(server.url);
  await page.waitForFunction(() => performance.getEntriesByName('stackplan-rendered').length > 0);
  renders.push(await page.evaluate(() => performance.getEntriesByName('stackplan-rendered')[0].startTime));
  if (i < 4) await page.close();
}
const page = (await browser.contexts()[0].pages()).at(-1);
const samples = [];
for (let i = 0; i < 60; i++) {
  const value = 3 + (i % 8); // desired tasks 3..10, always a change
  samples.push(await page.evaluate((v) => new Promise((resolve) => {
    const input = document.querySelector('#f-fargate-desired_tasks');
    const cost = document.querySelector('[data-testid=monthly-total]');
    const code = document.querySelector('pre.code');
    const seen = new Set();
    let t0 = 0;
    const obs = new MutationObserver((records) => {
      for (const r of records) {
        if (cost.contains(r.target)) seen.add('cost');
        if (code.contains(r.target)) seen.add('template');
      }
      if (seen.size === 2) { obs.disconnect(); resolve(performance.now() - t0); }
    });
    obs.observe(cost, { childList: true, subtree: true, characterData: true });
    obs.observe(code, { childList: true, subtree: true, characterData: true });
    t0 = performance.now();
    input.value = String(v);
    input.dispatchEvent(new Event('input', { bubbles: true }));
  }), value));
}
await browser.close();
stopServer(server);

const pct = (xs, p) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]; };
console.log(`first complete render: median ${pct(renders, 50).toFixed(1)} ms of ${renders.map((r) => r.toFixed(0)).join(', ')} (budget ${BUDGET.firstRenderMs} ms)`);
console.log(`input → cost and template updated: p50 ${pct(samples, 50).toFixed(1)} ms, p95 ${pct(samples, 95).toFixed(1)} ms, max ${Math.max(...samples).toFixed(1)} ms over ${samples.length} changes (budget p95 ${BUDGET.updateP95Ms} ms)`);
