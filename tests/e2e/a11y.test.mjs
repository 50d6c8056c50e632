// The planner held to WCAG 2.2 A and AA by axe-core (Deque's rules, run inside the page), in
// each state a user can bring it to without an account: both architectures, every panel open,
// a plan with problems, the share link, a phone's width. Keyboard paths and what is announced
// are tested where they happen (planner, controls, deploy); the deploy panel's own states are
// checked in deploy.test.mjs, where there is a sandbox to deploy into.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { accessibilityViolations, insertedStatusRegions, suite, watchStatusRegions } from './harness.mjs';

const t = await suite();

/**
 * Opens every disclosure on the page (cost groups, then the lines they bring, assumptions, the
 * diagram as text), until no closed one is left.
 */
async function openEverything(page) {
  for (let round = 0; round < 5; round++) {
    const opened = await page.evaluate(() => {
      const closed = [...document.querySelectorAll('details:not([open])')];
      closed.forEach((d) => { d.open = true; });
      return closed.length;
    });
    if (opened === 0) return;
    await page.waitForTimeout(200);
  }
  assert.fail('disclosures kept appearing closed');
}

test('the Fargate plan with every panel open breaks no WCAG rule axe checks', async () => {
  const page = await t.open();
  await page.getByTestId('compare-fargate').waitFor();
  await openEverything(page);
  assert.deepEqual(await accessibilityViolations(page), []);
  await page.getByRole('tab', { name: 'YAML' }).click();
  assert.deepEqual(await accessibilityViolations(page), []);
});

test('the Lambda plan breaks none either', async () => {
  const page = await t.open();
  await page.locator('[data-arch=lambda]').click();
  await page.waitForFunction(() => /AWS::Lambda::Function/.test(document.querySelector('pre.code').innerText));
  await openEverything(page);
  assert.deepEqual(await accessibilityViolations(page), []);
});

test('a plan with problems, and the share link shown, break none', async () => {
  const page = await t.open();
  await page.locator('#f-project').fill('');
  await page.locator('#f-fargate-max_tasks').fill('lots');
  await page.locator('.field-msg.error').first().waitFor();
  assert.ok(await page.locator('[aria-invalid=true]').count() >= 2);
  assert.deepEqual(await accessibilityViolations(page), []);
  await page.locator('#f-project').fill('shop');
  await page.locator('#f-fargate-max_tasks').fill('10');
  await page.getByTestId('share').click();
  await page.getByTestId('share-link').waitFor();
  assert.deepEqual(await accessibilityViolations(page), []);
});

test('in the dark theme the planner breaks none', async () => {
  const page = await t.open();
  await page.emulateMedia({ colorScheme: 'dark' });
  assert.equal(await page.evaluate(() => matchMedia('(prefers-color-scheme: dark)').matches), true);
  await page.getByTestId('compare-fargate').waitFor();
  await openEverything(page);
  assert.deepEqual(await accessibilityViolations(page), []);
  await page.locator('#f-project').fill('');
  await page.locator('.field-msg.error').first().waitFor();
  assert.deepEqual(await accessibilityViolations(page), []);
});

test('at a phone\'s width the planner breaks none', async () => {
  const page = await t.open();
  await page.setViewportSize({ width: 390, height: 844 });
  await openEverything(page);
  assert.deepEqual(await accessibilityViolations(page), []);
});

test('a copy is said by a status region that was there before it, and the share box closes on Escape', async () => {
  const page = await t.open();
  await watchStatusRegions(page);
  const spoken = page.getByTestId('copy-spoken');
  // There, empty, before the click: a live region inserted with its text is often not read.
  assert.equal(await spoken.getAttribute('role'), 'status');
  assert.equal(await spoken.textContent(), '');
  await page.getByRole('button', { name: 'Copy', exact: true }).click();
  await page.waitForFunction(() => document.querySelector('[data-testid=copy-spoken]').textContent !== '');
  assert.equal(await spoken.textContent(), 'The template is copied');
  assert.match(await page.evaluate(() => navigator.clipboard.readText()), /^\{\n {2}"AWSTemplateFormatVersion"/);
  // Copied again: said again (the region empties, then fills), not silent because its text
  // is the same.
  await page.evaluate(() => {
    window.copySaid = [];
    const region = document.querySelector('[data-testid=copy-spoken]');
    new MutationObserver(() => window.copySaid.push(region.textContent)).observe(region, { childList: true, characterData: true, subtree: true });
  });
  const copy = page.getByRole('button', { name: 'Copied', exact: true });
  await copy.click();
  await page.waitForFunction(() => window.copySaid.join('|').includes('|The template is copied'), null, { timeout: 10000 });
  assert.equal(await page.evaluate(() => window.copySaid[0]), '');
  // An edit: the button speaks of the template as it is now.
  await page.locator('#f-project').fill('shopcopy');
  await page.getByRole('button', { name: 'Copy', exact: true }).waitFor({ timeout: 10000 });
  await page.locator('#f-project').fill('shop');
  // Escape closes the share box from Share itself too, where a click leaves the focus.
  await page.getByTestId('share').click();
  await page.getByTestId('share-link').waitFor();
  await page.getByTestId('share').focus();
  await page.keyboard.press('Escape');
  await page.getByTestId('share-link').waitFor({ state: 'detached' });
  await page.getByTestId('share').click();
  await page.getByTestId('share-link').focus();
  await page.keyboard.press('Escape');
  await page.getByTestId('share-link').waitFor({ state: 'detached' });
  await page.waitForFunction(() => document.activeElement?.dataset.testid === 'share');
  assert.equal(await page.getByTestId('share-spoken').textContent(), '');
  // A plan with problems and back, prices that change: no region came with its text.
  await page.locator('#f-project').fill('');
  await page.locator('.field-msg.error').first().waitFor();
  await page.locator('#f-project').fill('shop');
  await page.locator('#f-workload-requests_per_month').fill('50000000000');
  await page.getByTestId('over-capacity-note').waitFor();
  assert.deepEqual(await insertedStatusRegions(page), []);
});

test('the first Tab stop skips the plan\'s fields to the results, and leaves the address as it is', async () => {
  const page = await t.open();
  const before = page.url();
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Skip to the results');
  const box = await page.locator('.skip-link').boundingBox();
  assert.ok(box && box.y >= 0, `on the screen once it has the focus: ${JSON.stringify(box)}`);
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.activeElement?.id === 'results', null, { timeout: 10000 });
  assert.equal(page.url(), before);
  // An architecture card is named by its title; the rest describes it.
  assert.equal(await page.getByRole('radio', { name: 'Lambda', exact: true }).count(), 1);
  assert.equal(await page.getByRole('radio', { name: 'ECS Fargate', exact: true }).count(), 1);
  assert.match(await page.locator('[data-arch=lambda]').getAttribute('aria-describedby'), /^arch-lambda-fits arch-lambda-parts$/);
});
