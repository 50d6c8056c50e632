// The cost panel and the Fargate/Lambda comparison in Chromium.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { artifacts, suite } from './harness.mjs';

const t = await suite();

const markerX = (page, id) => page.getByTestId(id).getAttribute('data-x');

test('the comparison chart shows both curves, the break-even and the user traffic, and follows edits', async () => {
  const page = await t.open();
  await page.getByTestId('compare-chart').waitFor();
  assert.equal(await page.locator('[data-testid=compare-chart] path.fargate, [data-testid=compare-chart] path.lambda').count(), 2);
  // The example's traffic between AZs has no price in the book: the Fargate curve is a lower
  // bound (drawn dashed), so the crossing is "at least", with the reason.
  assert.match(await page.getByTestId('break-even').innerText(), /cross at [\d,]+ requests a month or more; above that, Fargate is cheaper/);
  assert.match(await page.getByTestId('break-even-note').innerText(), /Between AZs/);
  assert.notEqual(await page.getByTestId('fargate-lower-bound').getAttribute('d'), '');
  // Near the top of the curve the Lambda side's average traffic is over the account's default
  // concurrency (1,000 executions of 120 ms: about 22 billion requests a month): shaded, and
  // the legend says so.
  const lambdaOver = page.getByTestId('lambda-over-capacity');
  assert.match(await lambdaOver.locator('title').textContent(), /Lambda's traffic is over its concurrency or throttling limit here/);
  assert.ok(Number(await lambdaOver.getAttribute('x')) > Number(await markerX(page, 'break-even-marker')));
  assert.match(await page.locator('.legend').first().innerText(), /over Lambda's concurrency or throttling/);
  const be = await markerX(page, 'break-even-marker');
  const you = await markerX(page, 'traffic-marker');
  await page.getByTestId('compare-chart').screenshot({ path: path.join(artifacts, 'compare-chart.png') });
  // The curves differ by more than hue: Lambda's is dashed.
  const dashes = await page.locator('[data-testid=compare-chart] path.fargate, [data-testid=compare-chart] path.lambda')
    .evaluateAll((paths) => paths.map((p) => getComputedStyle(p).strokeDasharray));
  assert.deepEqual(dashes.map((d) => d === 'none'), [true, false], dashes.join(' | '));
  // The chart as text: the curves at each half decade, Lambda cheaper at the bottom, Fargate
  // at the top, as the verdict says; it stays open while the comparison follows the edits.
  const chartText = page.getByTestId('chart-text');
  await chartText.locator('summary').click();
  const rows = await chartText.locator('tbody tr').allInnerTexts();
  assert.equal(rows.length, 17, rows.join('\n'));
  assert.match(rows[0], /^1,000\t\$[\d,.]+\+?\t\$[\d,.]+\+?\tLambda$/);
  assert.match(rows.at(-1), /^100,000,000,000\t\$[\d,.]+\+? \(over the plan's 10 tasks\)\t\$[\d,.]+\+? \(over Lambda's limits\)\t/);

  // More traffic moves the user's marker right.
  await page.locator('#f-workload-requests_per_month').fill('50000000');
  await page.waitForFunction((x) => document.querySelector('[data-testid=traffic-marker]').getAttribute('data-x') !== x, you);
  assert.ok(Number(await markerX(page, 'traffic-marker')) > Number(you));
  assert.equal(await chartText.evaluate((d) => d.open), true);

  // Longer requests make Lambda dearer per request: the crossing moves.
  await page.locator('#f-workload-avg_duration_ms').fill('400');
  await page.waitForFunction((x) => document.querySelector('[data-testid=break-even-marker]')?.getAttribute('data-x') !== x, be);
  assert.notEqual(await markerX(page, 'break-even-marker'), be);
});

test('the cost lines are grouped, expandable to their formula, and the toggles reprice', async () => {
  const page = await t.open();
  const groups = page.getByTestId('cost-groups');
  await groups.getByText('NAT gateway', { exact: true }).click();
  await groups.getByText('NAT hours', { exact: true }).click();
  await page.getByText('2 NAT gateways (one per AZ) × 730 h = 1,460 hours × $0.045 per hour').waitFor();
  const how = page.locator('details.assumptions');
  await how.locator('summary').click();
  const total = await page.getByTestId('monthly-total').innerText();
  await page.locator('#cost-spot').fill('50');
  await page.waitForFunction((t) => document.querySelector('[data-testid=monthly-total]').innerText !== t, total);
  // Groups and lines are keyed: what the user opened stays open while the plan changes.
  assert.equal(await page.getByText('2 NAT gateways (one per AZ) × 730 h = 1,460 hours × $0.045 per hour').isVisible(), true);
  // So does the comparison's "How the comparison is made", once the comparison follows.
  await page.waitForFunction(() => document.querySelector('[data-testid=compare-fargate] .compare-total').innerText
    === document.querySelector('[data-testid=monthly-total]').innerText);
  assert.equal(await how.evaluate((d) => d.open), true);
  await groups.getByText('Fargate', { exact: true }).click();
  await groups.getByText('x86 vCPU (Spot)').waitFor();
  // Fargate Spot runs ARM64 tasks too (platform 1.4.0), priced at the book's ARM Spot rate.
  await page.locator('#cost-arm').check();
  await groups.getByText('ARM vCPU (Spot)').waitFor();
  assert.equal(await page.locator('.field-msg.error').count(), 0);
  await page.locator('#cost-spot').fill('0');
  await groups.getByText('ARM vCPU (on-demand)').waitFor();
});

test('the cost band reaches the autoscaling maximum: every task the plan allows, all month', async () => {
  const page = await t.open();
  const ceiling = page.getByTestId('cost-ceiling');
  assert.match(await ceiling.innerText(), /^\$[\d,]+\.\d\d\+ with all 10 tasks running all month at double the traffic: the autoscaling maximum$/);
  const at10 = await ceiling.innerText();
  await page.locator('#f-fargate-max_tasks').fill('4');
  await page.waitForFunction((t) => document.querySelector('[data-testid=cost-ceiling]').innerText !== t, at10);
  assert.match(await ceiling.innerText(), /with all 4 tasks/);
  const money = (text) => Number(text.match(/\$([\d,.]+)/)[1].replace(/,/g, ''));
  assert.ok(money(await ceiling.innerText()) < money(at10));
  // Lambda has no task bound.
  await page.locator('[data-arch=lambda]').click();
  await ceiling.waitFor({ state: 'detached' });
});

test('an unknown price says unknown and the total says lower bound', async () => {
  const page = await t.open();
  await page.locator('#f-region').selectOption('eu-central-1');
  await page.getByText(/Lower bound: \d+ prices? unknown for eu-central-1/).waitFor();
  assert.match(await page.getByTestId('monthly-total').innerText(), /\+$/);
  // Both ends of the range leave the unknown price out, as the CLI says.
  assert.match(await page.getByTestId('cost-range').innerText(), /^\$[\d,.]+\+ – \$[\d,.]+\+/);
  await page.getByTestId('cost-groups').getByText('Load balancer', { exact: true }).click();
  await page.getByTestId('cost-groups').getByText('unknown', { exact: true }).first().waitFor();
});

test('what is billed but not estimated is named beside the total, not silently left out', async () => {
  const page = await t.open();
  await page.locator('[data-arch=lambda]').click();
  await page.getByTestId('not-in-total').filter({ hasText: 'Point-in-time recovery (DynamoDB)' }).waitFor();
  assert.equal(await page.getByTestId('not-in-total').innerText(),
    'Not in this total, billed but not estimated: Point-in-time recovery (DynamoDB), Application bucket access logs (S3) (see Not estimated, under the cost lines).');
  // The total itself is the priced lines' sum: no "+" for what has no price to say it with.
  assert.match(await page.getByTestId('monthly-total').innerText(), /^\$[\d,.]+$/);
});

test('the cost panel says which prices it uses and how old they are', async () => {
  const page = await t.open();
  const source = page.getByTestId('price-source');
  // The server has no AWS credentials here, so it answers with the embedded book and says why.
  await source.filter({ hasText: /using the embedded price book/ }).waitFor();
  assert.match(await source.innerText(), /embedded price book 2026\.10\.2 of 2026-10-08/);
});

test('the two sides compare like for like, by component, and the Lambda side can be changed', async () => {
  const page = await t.open();
  const memory = page.locator('#compare-lambda-memory');
  // The Lambda side takes the Fargate task's memory (1024 MiB) and CPU (x86) by default.
  await page.getByTestId('compare-components').waitFor();
  assert.equal(await memory.inputValue(), '1024');
  assert.equal(await page.locator('#compare-lambda-arm').isChecked(), false);
  for (const c of ['compute', 'network', 'data', 'observability']) {
    await page.getByTestId(`component-${c}`).waitFor();
  }
  const lambdaTotal = () => page.getByTestId('compare-lambda').locator('.compare-total').innerText();
  const before = await lambdaTotal();
  await memory.fill('2048');
  await memory.dispatchEvent('change');
  await page.waitForFunction((t) => document.querySelector('[data-testid=compare-lambda] .compare-total').innerText !== t, before);
  assert.ok(Number((await lambdaTotal()).replace(/[$,+]/g, '')) > Number(before.replace(/[$,+]/g, '')));
  // The box shows what is priced: a fraction is rounded to whole MB, a value out of Lambda's
  // range is brought into it, and an emptied box gets the priced memory back; what the box
  // did to the value typed is said beside it.
  const said = page.getByTestId('lambda-memory-said');
  for (const [typed, priced, says] of [
    ['1500.6', '1501', 'Lambda takes whole MB: 1500.6 is priced at 1501 MB.'],
    ['99999', '10240', 'Lambda takes 128 to 10240 MB: 99999 is priced at 10240 MB.'],
    ['', '10240', ''],
    ['3000', '3000', ''],
  ]) {
    await memory.fill(typed);
    await memory.dispatchEvent('change');
    await page.waitForFunction((v) => document.querySelector('#compare-lambda-memory').value === v, priced);
    assert.equal((await said.innerText()).trim(), says, typed);
  }
  await page.getByText('Follow the Fargate task').click();
  await page.waitForFunction(() => document.querySelector('#compare-lambda-memory').value === '1024');
  await page.getByTestId('compare-components').screenshot({ path: path.join(artifacts, 'compare-components.png') });
});

test('a price derived from other prices says so, and traffic beyond the maximum tasks is said', async () => {
  const page = await t.open();
  await page.locator('#f-region').selectOption('us-west-2');
  const groups = page.getByTestId('cost-groups');
  await groups.getByText('S3', { exact: true }).click();
  const s3 = groups.locator('details.cost-group').filter({ has: page.getByText('S3', { exact: true }) });
  await s3.getByTestId('derived-price').first().waitFor();
  await page.locator('#f-workload-requests_per_month').fill('50000000000');
  await page.getByTestId('over-capacity-note').filter({ hasText: /Over capacity: the traffic needs [\d,]+ tasks, but the plan allows at most 10/ }).waitFor();
  await page.getByTestId('over-capacity').waitFor();
});

test('a plan with problems shows neither comparison nor controls of the other architecture, and says its figures are the last valid plan\'s', async () => {
  const page = await t.open();
  await page.getByTestId('compare-components').waitFor();
  // Lambda, then a timeout Lambda does not take: its own last comparison stays, said to be
  // the last valid plan's.
  await page.locator('[data-arch=lambda]').click();
  await page.locator('#f-lambda-timeout_s').waitFor();
  // (The Lambda plan's comparison has no Lambda side to set: the Fargate plan's had.)
  await page.locator('#compare-lambda-memory').waitFor({ state: 'detached' });
  await page.getByTestId('compare-components').waitFor();
  await page.locator('#f-lambda-timeout_s').fill('0');
  await page.getByTestId('compare-stale').waitFor();
  // Fargate, valid: compared and judged. Back on the Lambda plan, which still has its
  // problem, the Fargate plan's comparison and controls are not shown as this plan's.
  await page.locator('[data-arch=fargate]').click();
  await page.locator('#compare-lambda-memory').waitFor();
  assert.equal(await page.getByTestId('compare-stale').count(), 0);
  await page.getByTestId('controls-count').filter({ hasText: /controls? (pass|fail)/ }).waitFor();
  await page.locator('[data-arch=lambda]').click();
  await page.locator('.compare .empty', { hasText: "Fix the plan's problems to compare the two architectures." }).waitFor();
  await page.getByTestId('controls-count').filter({ hasText: 'judged once the plan is valid' }).waitFor();
  assert.equal(await page.getByTestId('compare-components').count(), 0);
  // Fargate again, given a port no container has: the top bar's total is the last valid
  // plan's, and says so, as the cost card and the comparison do.
  await page.locator('[data-arch=fargate]').click();
  await page.getByTestId('compare-components').waitFor();
  assert.doesNotMatch(await page.getByTestId('top-total').getAttribute('class'), /stale/);
  await page.locator('#f-fargate-container_port').fill('0');
  await page.getByTestId('compare-stale').waitFor();
  assert.match(await page.getByTestId('top-total').getAttribute('class'), /stale/);
  assert.match(await page.getByTestId('top-total').textContent(), /\/mo \(the last valid plan's\)$/);
  assert.match(await page.getByTestId('top-total').getAttribute('title'), /^Monthly cost of the last valid plan/);
});
