// Embedding: the demo host page loads the planner through one script tag and one element,
// a size changed inside the planner reaches the host as an event, the host's styles do not
// reach the planner, and the host themes it through custom properties.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import path from 'node:path';
import { artifacts, launch, startServer, stopServer } from './harness.mjs';

let server;
let browser;
before(async () => { server = await startServer(); browser = await launch(); });
after(async () => { await browser?.close(); stopServer(server); });

// The demo host page, once its planner has said it is ready; with the errors it logs.
async function openDemo() {
  const context = await browser.newContext({ viewport: { width: 1500, height: 1100 } });
  const page = await context.newPage();
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(new URL('public/embed-demo.html', server.url).href);
  try {
    await page.locator('#log li[data-type=ready]').waitFor();
  } catch (e) {
    const frame = await page.locator('stackplan-planner').evaluate((el) => el.shadowRoot?.querySelector('iframe')?.src);
    throw new Error(`the demo never logged ready (frame ${frame}; errors: ${JSON.stringify(errors)}): ${e.message}`);
  }
  return { context, page, errors };
}

test('the demo host receives plan-changed events from the embedded planner', async () => {
  const { context, page, errors } = await openDemo();
  await page.locator('#log li[data-type=plan-changed]').first().waitFor();
  // A host script that runs late reads what it missed from the element.
  const late = await page.locator('stackplan-planner').evaluate((el) => ({ ready: el.ready, project: el.current?.plan?.project }));
  assert.deepEqual(late, { ready: true, project: await page.frameLocator('stackplan-planner iframe').locator('#f-project').inputValue() });

  const frame = page.frameLocator('stackplan-planner iframe');
  await frame.locator('#f-fargate-vcpu').selectOption('2');
  await page.locator('#log li', { hasText: 'fargate 2 vCPU' }).waitFor();
  // The Fargate example has lines without a price (load balancer capacity units): its total
  // is a lower bound, as the planner itself shows it.
  assert.match(await page.locator('#total').innerText(), /^\$\d+\.\d\d\+$/);
  assert.equal(await page.locator('#total').innerText(), await frame.getByTestId('monthly-total').innerText());

  // The host's `* { font-family: Georgia }` and hot-pink buttons stay outside.
  const planner = frame.locator('[data-testid=share]');
  const font = await planner.evaluate((el) => getComputedStyle(el).fontFamily);
  assert.ok(!/Georgia/.test(font), font);
  // The host's --sp-accent reached the planner.
  const accent = await planner.evaluate((el) => getComputedStyle(el).backgroundColor);
  assert.equal(accent, 'rgb(228, 87, 46)');
  // A theme changed once the planner runs reaches it, the template's code included.
  await page.locator('stackplan-planner').evaluate((el) => {
    el.style.setProperty('--sp-accent', 'rgb(10, 20, 30)');
    el.style.setProperty('--sp-code-bg', 'rgb(1, 2, 3)');
  });
  const planner_ = page.frames().find((f) => f.url().includes('embed=1'));
  await planner_.waitForFunction(() => getComputedStyle(document.querySelector('[data-testid=share]')).backgroundColor === 'rgb(10, 20, 30)');
  assert.equal(await frame.locator('pre.code').evaluate((el) => getComputedStyle(el).backgroundColor), 'rgb(1, 2, 3)');
  // Taken off again: the planner's own colour comes back.
  await page.locator('stackplan-planner').evaluate((el) => el.style.removeProperty('--sp-code-bg'));
  await planner_.waitForFunction(() => getComputedStyle(document.querySelector('pre.code')).backgroundColor !== 'rgb(1, 2, 3)');
  // The planner's styles did not leak into the host.
  assert.equal(await page.locator('header').evaluate((el) => getComputedStyle(el).position), 'static');
  await page.screenshot({ path: path.join(artifacts, 'embed-demo.png') });
  await context.close();
  assert.deepEqual(errors, []);
});

test('a moved element still hears its planner, and a plan set again opens again', async () => {
  const { context, page, errors } = await openDemo();
  const frame = page.frameLocator('stackplan-planner iframe');
  const vcpu = frame.locator('#f-fargate-vcpu');

  // Moved in the page (disconnected, then connected again; the iframe loads anew): the host
  // still hears the planner. Before, the element stopped listening at the first move.
  const readyAfterMove = await page.evaluate(() => {
    const box = document.createElement('section');
    document.body.append(box);
    box.append(document.querySelector('stackplan-planner'));
    return document.querySelector('stackplan-planner').ready;
  });
  // The frame loads anew: not ready until it says so again.
  assert.equal(readyAfterMove, false);
  await page.locator('#log li[data-type=ready]').nth(1).waitFor();
  assert.equal(await page.locator('stackplan-planner').evaluate((el) => el.ready), true);
  await vcpu.selectOption('4');
  await page.locator('#log li', { hasText: 'fargate 4 vCPU' }).waitFor();

  // The host sets that plan, the user edits it, the host sets the same plan again: the
  // planner shows the host's plan, not the edit.
  await frame.getByTestId('share').click();
  const hash = new URL(await frame.getByTestId('share-link').inputValue()).hash;
  assert.match(hash, /^#plan=1\./);
  await page.locator('stackplan-planner').evaluate((el, plan) => el.setAttribute('plan', plan), hash);
  await vcpu.selectOption('1');
  await page.locator('#log li', { hasText: 'fargate 1 vCPU' }).waitFor();
  const heard = await page.locator('#log li', { hasText: 'fargate 4 vCPU' }).count();
  await page.locator('stackplan-planner').evaluate((el, plan) => el.setAttribute('plan', plan), hash);
  await page.waitForFunction((n) => [...document.querySelectorAll('#log li')].filter((li) => li.textContent.includes('fargate 4 vCPU')).length > n, heard);
  assert.equal(await vcpu.inputValue(), '4');
  // Opened in place, as a pasted link is: the planner did not load again (still the two
  // starts: the first and the one after the move), and its share link carries only the plan
  // and the price book it was priced with.
  assert.equal(await page.locator('#log li[data-type=ready]').count(), 2);
  await frame.getByTestId('share').click();
  assert.match(await frame.getByTestId('share-link').inputValue(), /^http:\/\/127\.0\.0\.1:\d+\/#plan=1\.[\w-]+&book=[\w.]+,[\d-]+$/);
  await context.close();
  assert.deepEqual(errors, []);
});

test('the plan attribute opens only a plan: a token written into it never reaches the planner', async () => {
  const { context, page, errors } = await openDemo();
  const element = page.locator('stackplan-planner');
  const frameSrc = () => element.evaluate((el) => el.shadowRoot.querySelector('iframe').src);
  const planner = () => page.frames().find((f) => f.url().includes('embed=1'));
  const storedToken = () => planner().evaluate(() => sessionStorage.getItem('stackplan-token'));
  // A "share link" that is a login link: the frame's address gets no token, and the planner
  // keeps none; nor does it lose what the user did: it stays as it is, and the host hears why.
  const frame = page.frameLocator('stackplan-planner iframe');
  await frame.locator('#f-project').fill('edited');
  const readies = page.locator('#log li[data-type=ready]');
  const rejected = page.locator('#log li[data-type=plan-rejected]');
  const address = await frameSrc();
  for (const value of ['#token=0123456789abcdef', 'token=0123456789abcdef', 'https://planner.example/#token=0123456789abcdef']) {
    const before = await rejected.count();
    await element.evaluate((el, v) => el.setAttribute('plan', v), value);
    await rejected.nth(before).waitFor();
    assert.match(await rejected.first().innerText(), /^plan-rejected: the plan attribute holds no share-link plan/);
    assert.equal(await frameSrc(), address, value);
    assert.equal(await storedToken(), null, value);
  }
  assert.equal(await readies.count(), 1, 'the planner did not load again');
  assert.equal(await frame.locator('#f-project').inputValue(), 'edited');
  // A plan the element passes on but the planner cannot read: the planner says so, keeps
  // its plan, and the host hears it too.
  await element.evaluate((el) => el.setAttribute('plan', '#plan=1.AAAAbrokenZZZZ'));
  await page.locator('#log li[data-type=plan-rejected]', { hasText: 'This share link could not be opened' }).waitFor();
  assert.equal(await frame.locator('#f-project').inputValue(), 'edited');
  // While a box holds what is not a number, the host gets no total.
  await frame.locator('#f-workload-requests_per_month').fill('a million');
  await page.locator('#log li', { hasText: 'plan-changed: edited fargate 0.5 vCPU, $—' }).first().waitFor();
  await frame.locator('#f-workload-requests_per_month').fill('1000000');
  // A whole share link opens as its plan; a token tacked on after the plan is dropped.
  await frame.locator('#f-fargate-vcpu').selectOption('2');
  await frame.getByTestId('share').click();
  const link = await frame.getByTestId('share-link').inputValue();
  await frame.locator('#f-fargate-vcpu').selectOption('1');
  await element.evaluate((el, v) => el.setAttribute('plan', v), `${link}&token=0123456789abcdef`);
  assert.match(await frameSrc(), /#plan=1\.[\w-]+&book=[\w.]+,[\d-]+&n=\d+$/);
  await planner().waitForFunction(() => document.querySelector('#f-fargate-vcpu')?.value === '2');
  assert.equal(await storedToken(), null);
  await context.close();
  assert.deepEqual(errors, []);
});

test('a console on another origin embeds the planner with one script tag, and hears it', async () => {
  // The console's own page, served from another origin (another port), and a planner that lets
  // that origin frame it (`--embed-origin`) but opens no API to it (no `--cors-origin`). The
  // console's Content-Security-Policy is strict: no inline style, Trusted Types required, and
  // only the planner's origin for scripts and frames (its own inline script aside).
  let page = '';
  let csp = '';
  const console_ = http.createServer((_, res) => {
    res.writeHead(200, { 'content-type': 'text/html', 'content-security-policy': csp });
    res.end(page);
  });
  await new Promise((resolve) => console_.listen(0, '127.0.0.1', resolve));
  const host = `http://127.0.0.1:${console_.address().port}`;
  const planner = await startServer(['--embed-origin', host]);
  const origin = new URL(planner.url).origin;
  csp = `default-src 'none'; script-src 'unsafe-inline' ${origin}; frame-src ${origin}; style-src 'self'; require-trusted-types-for 'script'`;
  page = `<!doctype html><html><head><title>Console</title>
    <script type="module" src="${planner.url}public/stackplan-embed.js"></script></head>
    <body><stackplan-planner hide-deploy></stackplan-planner>
    <script>document.querySelector('stackplan-planner').addEventListener('stackplan:ready', () => { document.title = 'ready'; });</script>
    </body></html>`;
  const context = await browser.newContext();
  try {
    const tab = await context.newPage();
    const errors = [];
    tab.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    tab.on('pageerror', (e) => errors.push(e.message));
    await tab.goto(`${host}/ops`);
    await tab.waitForFunction(() => document.title === 'ready', null, { timeout: 30000 })
      .catch((e) => { throw new Error(`${e.message}; the page logged ${JSON.stringify(errors)}`); });
    assert.equal(await tab.locator('stackplan-planner').evaluate((el) => el.ready), true);
    // The element's own style applies under that policy: the frame has its height.
    const height = await tab.locator('stackplan-planner').evaluate((el) => el.shadowRoot.querySelector('iframe').getBoundingClientRect().height);
    assert.ok(height >= 720, `the frame is ${height} px high`);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
    stopServer(planner);
    console_.close();
  }
});

test('a host that names its origin in another spelling still hears the planner and themes it', async () => {
  const context = await browser.newContext({ viewport: { width: 1500, height: 1100 } });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(new URL('public/embed-demo.html', server.url).href);
  // The same origin as the page's, its port written with a leading zero: the browser writes
  // a message's origin without it, and the planner compares the two as the browser writes them.
  const spelled = `http://127.0.0.1:0${new URL(server.url).port}`;
  const src = `${server.url}?embed=1&host=${encodeURIComponent(spelled)}`;
  const ready = page.evaluate((src) => new Promise((resolve) => {
    document.body.replaceChildren();
    // Only this frame's ready: the demo's own planner, removed above, may have posted one that
    // is still queued.
    const frame = document.createElement('iframe');
    addEventListener('message', (e) => {
      if (e.source === frame.contentWindow && e.data?.source === 'stackplan' && e.data.type === 'ready') resolve(e.origin);
    });
    Object.assign(frame, { src, id: 'planner' });
    frame.style.cssText = 'width: 1200px; height: 900px';
    document.body.append(frame);
  }), src);
  assert.equal(await ready, new URL(server.url).origin);
  await page.evaluate(() => document.getElementById('planner').contentWindow.postMessage(
    { source: 'stackplan-host', type: 'theme', vars: { '--sp-accent': 'rgb(10, 20, 30)' } }, '*'));
  // This page's frame (the demo's own, removed, may still be listed among the page's frames).
  const planner = await (await page.$('#planner')).contentFrame();
  await planner.waitForFunction(() => {
    const share = document.querySelector('[data-testid=share]');
    return share !== null && getComputedStyle(share).backgroundColor === 'rgb(10, 20, 30)';
  });
  await context.close();
  assert.deepEqual(errors, []);
});
