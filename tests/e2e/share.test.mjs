// Share links in Chromium: the Share button, opening a link, and broken links.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { suite } from './harness.mjs';

const t = await suite();

test('a shared link opens exactly the plan that was shared', async () => {
  const page = await t.open();
  await page.locator('[data-arch=lambda]').click();
  await page.locator('#f-lambda-memory_mb').fill('2048');
  await page.locator('#f-lambda-api').selectOption('rest');
  await page.locator('#f-region').selectOption('ap-northeast-1');
  // Priced without the free tier: the link says so, and opens priced the same way.
  const withFree = await page.getByTestId('monthly-total').innerText();
  await page.getByLabel('Free tier').uncheck();
  await page.waitForFunction((t) => document.querySelector('[data-testid=monthly-total]').innerText !== t, withFree);
  const total = await page.getByTestId('monthly-total').innerText();
  await page.getByTestId('share').click();
  const link = await page.getByTestId('share-link').inputValue();
  // The plan, then how it was priced: without the free tier, with this price book.
  const book = (await page.getByTestId('price-source').innerText()).match(/embedded price book ([\w.]+) of ([\d-]+)/);
  assert.ok(book, await page.getByTestId('price-source').innerText());
  assert.ok(link.endsWith(`&free_tier=off&book=${book[1]},${book[2]}`), link);
  const planPart = link.slice(0, link.indexOf('&'));
  assert.match(planPart, /#plan=1\.[\w-]+$/);
  assert.ok(planPart.length <= 400, `${planPart.length} characters`);
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), link);
  const tplBefore = await page.locator('pre.code').innerText();

  const other = await t.open(link);
  assert.equal(await other.locator('[data-arch=lambda]').getAttribute('aria-checked'), 'true');
  assert.equal(await other.locator('#f-lambda-memory_mb').inputValue(), '2048');
  assert.equal(await other.locator('#f-region').inputValue(), 'ap-northeast-1');
  assert.equal(await other.locator('pre.code').innerText(), tplBefore);
  assert.equal(await other.getByLabel('Free tier').isChecked(), false);
  assert.equal(await other.getByTestId('monthly-total').innerText(), total);
  // Priced with the same book: nothing to say. A link priced with another book says so.
  assert.equal(await other.getByTestId('linked-book').count(), 0);
  const older = await t.open(link.replace(/&book=.*$/, '&book=2025.1.1,2025-01-15'));
  assert.match(await older.getByTestId('linked-book').innerText(),
    /^This link was priced with embedded price book 2025\.1\.1 of 2025-01-15; this page prices it with embedded price book [\w.]+ of [\d-]+, so its figures may differ from the sharer's\.$/);
  // Once the plan is no longer the link's, the note goes.
  await older.locator('#f-lambda-memory_mb').fill('1024');
  await older.getByTestId('linked-book').waitFor({ state: 'detached' });
});

test('a shared link keeps the comparison\'s other side as it was set, and so does a reload', async () => {
  const page = await t.open();
  const memory = page.locator('#compare-lambda-memory');
  await page.getByTestId('compare-components').waitFor();
  const lambdaTotal = (p) => p.getByTestId('compare-lambda').locator('.compare-total').innerText();
  const before = await lambdaTotal(page);
  await memory.fill('1000');
  await memory.dispatchEvent('change');
  await page.locator('#compare-lambda-arm').check();
  await page.waitForFunction((t) => document.querySelector('[data-testid=compare-lambda] .compare-total').innerText !== t, before);
  const priced = await lambdaTotal(page);
  const verdict = await page.getByTestId('break-even').innerText();
  await page.getByTestId('share').click();
  const link = await page.getByTestId('share-link').inputValue();
  assert.ok(link.endsWith('&compare=1000,arm64'), link);
  const other = await t.open(link);
  await other.getByTestId('compare-components').waitFor();
  assert.equal(await other.locator('#compare-lambda-memory').inputValue(), '1000');
  assert.equal(await other.locator('#compare-lambda-arm').isChecked(), true);
  assert.equal(await lambdaTotal(other), priced);
  assert.equal(await other.getByTestId('break-even').innerText(), verdict);
  // The sharer's own tab, reloaded: its address is the link, so the side comes back too.
  await page.reload();
  await page.getByTestId('compare-components').waitFor();
  assert.equal(await page.locator('#compare-lambda-memory').inputValue(), '1000');
  assert.equal(await page.locator('#compare-lambda-arm').isChecked(), true);
  // And the plan is still the tab's own, not a link someone else wrote (whose deploy would
  // ask first): Share kept the plan's draft at its new address, saying where it came from.
  const draft = await page.evaluate(() => sessionStorage.getItem(`stackplan-draft:${location.hash}`));
  assert.ok(draft !== null, 'a draft at the shared address');
  assert.equal(draft.split('\n')[0], '', draft.slice(0, 80));
});

test('a broken link shows a clear message over the default plan', async () => {
  for (const fragment of ['#plan=1.AAAA', '#plan=1.!!!', '#plan=7.abc', '#plan=1.VU5Jco']) {
    const page = await t.open(t.server.url + fragment);
    const banner = page.getByTestId('link-error');
    await banner.waitFor();
    assert.match(await banner.innerText(), /This share link could not be opened: .+ Showing the example plan instead\./);
    assert.equal(await page.locator('[data-arch=fargate]').getAttribute('aria-checked'), 'true');
  }
});

test('a link pasted into a tab that has the planner open opens its plan, and a broken one changes nothing', async () => {
  const source = await t.open();
  await source.locator('#f-project').fill('cart');
  await source.locator('#f-region').selectOption('eu-west-1');
  await source.locator('#vf-tags-env').fill('staging');
  await source.getByTestId('share').click();
  const link = await source.getByTestId('share-link').inputValue();

  const page = await t.open();
  assert.equal(await page.locator('#f-project').inputValue(), 'shop');
  // Only the fragment changes: no reload.
  await page.evaluate((fragment) => { window.__same_document = true; location.hash = fragment; }, link.slice(link.indexOf('#')));
  await page.waitForFunction(() => document.querySelector('#f-project').value === 'cart');
  assert.equal(await page.locator('#f-region').inputValue(), 'eu-west-1');
  // A tag of the same key shows the link's value, not the value the box was built with.
  assert.equal(await page.locator('#vf-tags-env').inputValue(), 'staging');
  assert.equal(await page.evaluate(() => window.__same_document), true, 'the page was not loaded again');
  assert.equal(await page.locator('pre.code').innerText(), await source.locator('pre.code').innerText());

  await page.evaluate(() => { location.hash = '#plan=1.AAAA'; });
  const banner = page.getByTestId('link-error');
  await banner.waitFor();
  assert.match(await banner.innerText(), /could not be opened: .+ The plan on the page is unchanged\./);
  assert.equal(await page.locator('#f-project').inputValue(), 'cart');
  // The address holds the link that does not read: a reload of it still gives back the plan
  // the page kept, not the example.
  await page.reload();
  await page.locator('#f-project').waitFor();
  assert.equal(await page.locator('#f-project').inputValue(), 'cart');
  assert.equal(await page.locator('#f-region').inputValue(), 'eu-west-1');
  assert.equal(await page.getByTestId('link-error').count(), 0);
});

/** A share link of the example whose project is "cart", made in a tab of its own. */
async function cartLink() {
  const source = await t.open();
  await source.locator('#f-project').fill('cart');
  await source.getByTestId('share').click();
  return source.getByTestId('share-link').inputValue();
}

/** Goes to `link` in `page` as a pasted link does (only the fragment changes), and waits for its plan. */
async function openInTab(page, link) {
  await page.evaluate((fragment) => { window.__same_document = true; location.hash = fragment; }, link.slice(link.indexOf('#')));
  await page.waitForFunction(() => document.querySelector('#f-project').value === 'cart');
}

test('Back from a link opened in the tab to the address without one gives back the plan edited there', async () => {
  const link = await cartLink();

  const page = await t.open();
  await page.locator('#f-project').fill('mine');
  await page.locator('#f-region').selectOption('eu-west-1');
  await openInTab(page, link);
  await page.goBack();
  await page.waitForFunction(() => document.querySelector('#f-project').value === 'mine');
  assert.equal(await page.locator('#f-region').inputValue(), 'eu-west-1');
  assert.equal(await page.evaluate(() => window.__same_document), true, 'the page was not loaded again');
  // An edit there keeps it, not the link's plan, for a reload.
  await page.locator('#f-project').fill('mine2');
  await page.reload();
  await page.locator('#f-project').waitFor();
  assert.equal(await page.locator('#f-project').inputValue(), 'mine2');
  assert.equal(await page.locator('#f-region').inputValue(), 'eu-west-1');
  // Forward: the link's plan again.
  await page.goForward();
  await page.waitForFunction(() => document.querySelector('#f-project').value === 'cart');
});

test('a login URL opened in a tab at a link takes its token, and the plan and the link stay', async () => {
  const link = await cartLink();

  const page = await t.open();
  // A draft at the address without a link: the login URL must not bring it back.
  await page.locator('#f-project').fill('mine');
  await openInTab(page, link);
  const at = page.url();
  assert.ok(at.includes('#plan='), at);
  await page.evaluate(() => { location.hash = '#token=0123456789abcdef'; });
  await page.waitForFunction(() => sessionStorage.getItem('stackplan-token') === '0123456789abcdef');
  // Two frames: a plan put in its place would show by then.
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  assert.equal(await page.locator('#f-project').inputValue(), 'cart');
  assert.equal(page.url(), at);
  assert.equal(await page.evaluate(() => window.__same_document), true, 'the page was not loaded again');
});

test('a plan too long for a link is not put in the address bar, where a reload would lose it; Share says why', async () => {
  const page = await t.open();
  const start = page.url();
  // Values that do not compress: random characters, 2,000 in each of six variables.
  const random = (n) => Array.from({ length: n }, () => 'abcdefghijklmnopqrstuvwxyz0123456789'[Math.floor(Math.random() * 36)]).join('');
  for (let n = 1; n <= 6; n++) {
    await page.getByRole('button', { name: 'Add variable' }).click();
    await page.getByLabel(`Variable ${n} name`).fill(`LONG_${n}`);
    await page.getByLabel(`Variable ${n} value`).fill(random(2000));
  }
  await page.getByTestId('share').click();
  const said = page.getByTestId('share-too-long');
  await said.waitFor();
  assert.match(await said.innerText(), /This plan takes \d{1,3}(,\d{3})+ characters in a link, over the \d,\d{3} a link has room for, so no link was made: the address stays as it was\..*Save plan/);
  assert.equal(await page.getByTestId('share-link').count(), 0);
  assert.equal(page.url(), start);
  assert.equal(await page.getByTestId('share-spoken').innerText(), 'No link: the plan is too long for one');
  // What was typed is all still there.
  assert.equal((await page.getByLabel('Variable 6 value').inputValue()).length, 2000);
  await said.getByRole('button', { name: 'Close' }).click();
  await said.waitFor({ state: 'detached' });
  await page.waitForFunction(() => document.activeElement?.dataset.testid === 'share');
});
