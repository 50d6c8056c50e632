// Shared helpers for the browser tests: start the real `stackplan serve` on a free loopback port
// against the real release build (dist/: scripts/lib.sh's build_web), and Debian's Chromium
// through playwright-core.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const require = createRequire(path.join(root, '.tools', 'package.json'));
export const { chromium } = require('playwright-core');
export const bin = process.env.STACKPLAN_BIN ?? path.join(root, 'target', 'release', 'stackplan');
export const artifacts = path.join(root, 'tests', 'artifacts');

/** Starts `stackplan serve` on 127.0.0.1:0 and resolves to { url, proc, output() }; `dist`: the
 *  build it serves (the repository's `dist/` unless told). */
export function startServer(args = [], { dist = path.join(root, 'dist') } = {}) {
  // A data directory of its own: its output is no terminal, so the login URL it makes is
  // written there (`login-url`), not printed.
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'stackplan-serve-'));
  return new Promise((resolve, reject) => {
    const proc = spawn(bin, ['serve', '--addr', '127.0.0.1:0', '--dist', dist, '--data-dir', dataDir, ...args], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    const timer = setTimeout(() => { proc.kill(); reject(new Error(`server did not start:\n${out}`)); }, 20000);
    const onData = (chunk) => {
      out += chunk;
      const m = out.match(/running at (http:\/\/127\.0\.0\.1:\d+\/)/);
      if (m) { clearTimeout(timer); resolve({ url: m[1], proc, output: () => out, dataDir }); }
    };
    proc.stdout.on('data', onData);
    proc.stderr.on('data', onData);
    proc.on('exit', (code) => { clearTimeout(timer); reject(new Error(`server exited ${code}:\n${out}`)); });
  });
}

export function stopServer(server) {
  if (server && server.proc.exitCode === null) {
    server.proc.removeAllListeners('exit');
    server.proc.kill('SIGTERM');
  }
  if (server?.dataDir) fs.rmSync(server.dataDir, { recursive: true, force: true });
}

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** A page that records every console error and page error. */
export async function openPage(browser, url) {
  const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1400, height: 1000 } });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(url).origin });
  const page = await context.newPage();
  const errors = [];
  page.on('console', (msg) => { if (msg.type() === 'error') errors.push(`console: ${msg.text()}`); });
  page.on('pageerror', (err) => errors.push(`page error: ${err.message}`));
  await page.goto(url);
  await page.getByTestId('monthly-total').waitFor();
  return { page, errors, context };
}

/**
 * Registers the hooks every browser test file needs: one server and one browser for the file,
 * and after each test, every page it opened closed and checked for console and page errors.
 */
export async function suite() {
  const { before, after, afterEach } = await import('node:test');
  const assert = (await import('node:assert/strict')).default;
  const s = { server: null, browser: null, pages: [] };
  before(async () => {
    fs.mkdirSync(artifacts, { recursive: true });
    s.server = await startServer();
    s.browser = await launch();
  });
  after(async () => { await s.browser?.close(); stopServer(s.server); });
  afterEach(async () => {
    const opened = s.pages;
    s.pages = [];
    for (const { context } of opened) await context.close();
    assert.deepEqual(opened.flatMap((p) => p.errors), [], 'a page logged errors');
  });
  /** Opens `url` (default: the server) in a fresh context; resolves to the page. */
  s.open = async (url) => {
    const opened = await openPage(s.browser, url ?? s.server.url);
    s.pages.push(opened);
    return opened.page;
  };
  return s;
}

/** The WCAG levels the planner is held to, as axe-core's tags, and axe's own best practices. */
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'];
let axeSource = null;

/**
 * Runs axe-core (Deque's accessibility rules) on the page as it is now and resolves to its
 * violations, each as "rule (impact): help — the elements". Where axe cannot decide (text over
 * a picture, such as the diagram's SVG), it says "incomplete", which is not counted here.
 */
export async function accessibilityViolations(page) {
  axeSource ??= fs.readFileSync(path.join(root, '.tools', 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(axeSource);
  const violations = await page.evaluate(
    (tags) => window.axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] }),
    AXE_TAGS,
  ).then((r) => r.violations);
  return violations.map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

/**
 * Watches the page from now on for live regions (`role=status`, `aria-live`) inserted already
 * holding text: screen readers often read a region only when text changes inside one they
 * already know, so such a message may never be heard. `insertedStatusRegions(page)` lists them.
 */
export async function watchStatusRegions(page) {
  await page.evaluate(() => {
    window.__insertedStatus = [];
    const live = '[role=status], [aria-live]';
    new MutationObserver((records) => {
      for (const r of records) {
        for (const node of r.addedNodes) {
          if (!(node instanceof Element)) continue;
          const regions = [...(node.matches(live) ? [node] : []), ...node.querySelectorAll(live)];
          for (const region of regions) {
            if (region.textContent.trim() !== '') {
              window.__insertedStatus.push(`${region.tagName.toLowerCase()}${region.dataset.testid ? `[data-testid=${region.dataset.testid}]` : ''}: ${region.textContent.trim().slice(0, 80)}`);
            }
          }
        }
      }
    }).observe(document.body, { childList: true, subtree: true });
  });
}

export async function insertedStatusRegions(page) {
  return page.evaluate(() => window.__insertedStatus);
}
