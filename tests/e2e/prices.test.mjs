// Live prices in the page: the server answers GET /api/prices/{region} with a book and the
// cost panel says where its prices come from and marks the lines whose price changed. These
// machines have no AWS credentials, so the server takes its "live" book from a file in the
// format `stackplan prices refresh --out` writes (the refresh itself is tested against the SDK in
// server/tests/prices.rs).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { launch, openPage, root, startServer, stopServer } from './harness.mjs';

let server;
let browser;
let dir;
before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stackplan-prices-'));
  const embedded = fs.readFileSync(path.join(root, 'shared', 'data', 'prices.tsv'), 'utf8');
  const live = embedded
    .replace(/^# version: .*$/m, '# version: live-2026-11-20')
    .replace(/^# date: .*$/m, '# date: 2026-11-20')
    .replace(/^nat\.hour\tus-east-1\t0\.045\t/m, 'nat.hour\tus-east-1\t0.05\t');
  assert.notEqual(live, embedded);
  fs.writeFileSync(path.join(dir, 'live.tsv'), live);
  server = await startServer(['--price-book', path.join(dir, 'live.tsv')]);
  browser = await launch();
});
after(async () => { await browser?.close(); stopServer(server); fs.rmSync(dir, { recursive: true, force: true }); });

test('a live book shows its date and marks the lines whose price changed', async () => {
  const { page, errors, context } = await openPage(browser, server.url);
  const source = page.getByTestId('price-source');
  await source.filter({ hasText: 'live AWS prices published 2026-11-20' }).waitFor();
  const groups = page.getByTestId('cost-groups');
  await groups.getByText('NAT gateway', { exact: true }).click();
  const nat = groups.locator('li.changed', { hasText: 'NAT hours' });
  await nat.waitFor();
  assert.match(await nat.innerText(), /price changed/);
  await nat.locator('summary').click();
  await page.getByText('× $0.05 per hour').waitFor();
  // Only that line changed.
  assert.equal(await groups.locator('li.changed').count(), 1);
  // The comparison is priced with the live book too, without an edit: its Fargate side (the
  // user's plan) costs what the cost panel says. (The embedded book's NAT hour is cheaper.)
  const dollars = (text) => Number(text.match(/\$([\d,]+\.\d\d)/)[1].replace(/,/g, ''));
  const total = () => page.getByTestId('monthly-total').innerText().then(dollars);
  const compared = () => page.getByTestId('compare-fargate').locator('.compare-total').innerText().then(dollars);
  for (let i = 0; i < 50 && (await compared()) !== (await total()); i++) await page.waitForTimeout(100);
  assert.equal(await compared(), await total());
  await context.close();
  assert.deepEqual(errors, []);
});
