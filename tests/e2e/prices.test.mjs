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

test('a price the live book withheld is unknown, and the page says why', async () => {
  // As `stackplan prices refresh --out` writes a price it refused: no price, and the reason.
  const reason = "AWS's price comes to 0.0000125 USD per hour, 3600 times less than the embedded book's 0.045 USD " +
    "per hour (us-east-1), too far for a list price to move: AWS's unit or tier has likely changed";
  const embedded = fs.readFileSync(path.join(root, 'shared', 'data', 'prices.tsv'), 'utf8');
  const live = embedded
    .replace(/^# version: .*$/m, '# version: live-2026-11-20')
    .replace(/^# date: .*$/m, '# date: 2026-11-20')
    .replace(/^nat\.hour\tus-east-1\t.*$/m, `nat.hour\tus-east-1\tunknown\t\twithheld\t\t${reason}`);
  assert.notEqual(live, embedded);
  fs.writeFileSync(path.join(dir, 'withheld.tsv'), live);
  const own = await startServer(['--price-book', path.join(dir, 'withheld.tsv')]);
  try {
    const { page, errors, context } = await openPage(browser, own.url);
    const source = page.getByTestId('price-source');
    await source.filter({ hasText: 'live AWS prices published 2026-11-20' }).waitFor();
    assert.match(await source.innerText(),
      /1 price\(s\) are unknown: missing from the Price List's answer, ambiguous in it, or too far from the embedded book's to trust/);
    // The total is a lower bound, and the unknown price names its reason.
    await page.getByTestId('monthly-total').filter({ hasText: /\+$/ }).waitFor();
    const line = page.locator('li', { hasText: 'book key nat.hour' });
    await line.waitFor();
    assert.equal(await line.innerText(),
      `NAT gateway NAT hours: the price book has no price per hour in us-east-1 (book key nat.hour): ${reason}`);
    // The line itself says why too, and is not marked as a price that changed: it has none.
    const groups = page.getByTestId('cost-groups');
    await groups.getByText('NAT gateway', { exact: true }).click();
    const nat = groups.locator('li', { hasText: 'NAT hours' });
    await nat.locator('summary').click();
    await nat.getByText(`× unknown price (the book has none per hour in us-east-1: ${reason})`).waitFor();
    assert.equal(await groups.locator('li.changed').count(), 0);
    assert.doesNotMatch(await nat.innerText(), /price changed/);
    await context.close();
    assert.deepEqual(errors, []);
  } finally {
    stopServer(own);
  }
});
