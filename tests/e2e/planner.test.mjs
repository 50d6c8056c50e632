// The planner in Chromium against the real server and the real release build.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { artifacts, bin, startServer, stopServer, suite } from './harness.mjs';

const t = await suite();

const total = (page) => page.getByTestId('monthly-total').innerText();

const templateText = (page) => page.locator('pre.code').innerText();

async function download(page, testId) {
  const [dl] = await Promise.all([page.waitForEvent('download'), page.getByTestId(testId).click()]);
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'stackplan-')), dl.suggestedFilename());
  await dl.saveAs(file);
  return { file, name: dl.suggestedFilename() };
}

test('the page loads with the Fargate example, its cost and its template', async () => {
  const page = await t.open();
  assert.equal(await page.locator('[data-arch=fargate]').getAttribute('aria-checked'), 'true');
  assert.match(await total(page), /^\$[\d,]+\.\d\d\+?$/);
  assert.match(await page.getByTestId('template-info').innerText(), /\d+ resources/);
  assert.match(await templateText(page), /AWS::ECS::Service/);
  await page.screenshot({ path: path.join(artifacts, 'planner.png'), fullPage: true });
  // One day is "1 day", in the retention's choices and on the backups' slider.
  assert.equal(await page.locator('#f-fargate-log_retention_days option').first().innerText(), '1 day');
  await page.locator('#f-fargate-database-backup_days').fill('1');
  assert.equal(await page.locator('#f-fargate-database-backup_days').getAttribute('aria-valuetext'), '1 day');
});

test('until the planner starts the page says it is loading; when its code cannot be fetched, the page says so there', async () => {
  // The page as served: its words before any script runs.
  const html = await (await fetch(t.server.url)).text();
  assert.match(html, /<p id="boot" class="boot" role="status">Loading the planner…<\/p>/);
  // Started, the planner takes their place.
  const page = await t.open();
  await page.getByTestId('monthly-total').waitFor();
  assert.equal(await page.locator('#boot').count(), 0);
  // Its wasm, or its JS, cannot be fetched: the words say so, in the same status region.
  for (const missing of [/_bg\.wasm$/, /\/app-[0-9a-f]{16}\.js$/]) {
    const context = await t.browser.newContext();
    const failing = await context.newPage();
    const thrown = [];
    failing.on('pageerror', (e) => thrown.push(e.message));
    await failing.route(missing, (route) => route.abort('connectionfailed'));
    await failing.goto(t.server.url);
    await failing.waitForFunction(() => document.getElementById('boot')?.classList.contains('failed'));
    assert.equal(await failing.locator('#boot').innerText(),
      'The planner could not start: its code could not be loaded. Check the connection, then reload the page.', String(missing));
    assert.equal(await failing.locator('#boot').getAttribute('role'), 'status');
    // The error itself is still thrown, for the console.
    assert.equal(thrown.length, 1, thrown.join('\n'));
    await context.close();
  }
});

test('changing sizes changes the cost and the template', async () => {
  const page = await t.open();
  const before = await total(page);
  await page.locator('#f-fargate-vcpu').selectOption('2');
  await page.waitForFunction((t) => document.querySelector('[data-testid=monthly-total]').innerText !== t, before);
  assert.match(await templateText(page), /"Cpu": "2048"/);
  assert.equal(await page.locator('#f-fargate-memory_mib').inputValue(), '4096', 'memory moved to a size 2 vCPU allows');
  const afterCpu = await total(page);
  // Tasks follow the traffic between the minimum and the maximum: the desired count only sets
  // where the service starts, so the cost moves with the minimum.
  await page.locator('#f-fargate-desired_tasks').fill('5');
  await page.locator('#f-fargate-min_tasks').fill('5');
  await page.waitForFunction((t) => document.querySelector('[data-testid=monthly-total]').innerText !== t, afterCpu);
  assert.match(await templateText(page), /"DesiredCount": {"Fn::If": \["WaitingForImage", 0, 5\]}/);
});

test('a box whose plan lowers or trims the text keeps the cursor where it was typing', async () => {
  const page = await t.open();
  await page.locator('#f-domain').check();
  await page.locator('#f-domain-hosted_zone_id').fill('Z0123');
  const name = page.locator('#f-domain-name');
  await name.fill('shop.example.com');
  // Capitals typed mid-word: lowered, and the next letter goes after them, not at the end.
  await name.evaluate((el) => { el.focus(); el.setSelectionRange(4, 4); });
  await page.keyboard.type('EU');
  assert.equal(await name.inputValue(), 'shopeu.example.com');
  await page.keyboard.type('x');
  assert.equal(await name.inputValue(), 'shopeux.example.com');
  // Blanks typed before the text are trimmed: the cursor stays before it.
  await name.evaluate((el) => el.setSelectionRange(0, 0));
  await page.keyboard.type(' a');
  assert.equal(await name.inputValue(), 'ashopeux.example.com');
  assert.equal(await name.evaluate((el) => el.selectionStart), 1);
  await page.waitForFunction(() => /ashopeux\.example\.com/.test(document.querySelector('pre.code').innerText));
});

test('a service slow to start gets the seconds it needs before health checks count', async () => {
  const page = await t.open();
  assert.match(await templateText(page), /"HealthCheckGracePeriodSeconds": 60,/);
  // The box's hint is read with it.
  const described = await page.locator('#f-fargate-health_check_grace_s').getAttribute('aria-describedby');
  const hint = described.split(' ').map((id) => page.locator(`[id="${id}"].hint`));
  assert.equal(described.split(' ').length, 2);
  assert.match(await hint[1].innerText(), /\S/);
  await page.locator('#f-fargate-health_check_grace_s').fill('300');
  await page.waitForFunction(() => /"HealthCheckGracePeriodSeconds": 300,/.test(document.querySelector('pre.code').innerText));
  // Over ECS's sensible bound: said at the field, and the last valid template stays.
  await page.locator('#f-fargate-health_check_grace_s').fill('4000');
  await page.getByText(/health_check_grace_s|at most 3600|3,600/).first().waitFor();
  assert.match(await templateText(page), /"HealthCheckGracePeriodSeconds": 300,/);
});

test('with a problem on the page, the other architecture never shows this one\'s figures', async () => {
  const page = await t.open();
  await page.locator('#f-project').fill('x');
  await page.locator('#f-project').press('Tab');
  await page.getByTestId('problems').getByText(/project/).first().waitFor();
  await page.locator('[data-arch=lambda]').click();
  // The Lambda plan has the same problem, and no valid Lambda plan was seen: no cost, no
  // template, no diagram, rather than the Fargate plan's under the Lambda card.
  await page.getByText("Fix the plan's problems to see its cost.").waitFor();
  await page.waitForFunction(() => document.querySelector('pre.code').innerText.trim() === '');
  assert.ok(await page.getByRole('button', { name: 'Export SVG' }).isDisabled());
  // Fixed, it is Lambda's.
  await page.locator('#f-project').fill('shop');
  await page.waitForFunction(() => /"AWS::Lambda::Function"/.test(document.querySelector('pre.code')?.innerText ?? ''));
  assert.doesNotMatch(await templateText(page), /AWS::ECS::Service/);
  // Back on Fargate with the problem again, Fargate's last valid figures are not Lambda's.
  await page.locator('#f-project').fill('x');
  await page.locator('[data-arch=fargate]').click();
  await page.getByText("Fix the plan's problems to see its cost.").waitFor();
});

test('an invalid combination shows the core message and keeps the last template', async () => {
  const page = await t.open();
  await page.locator('#f-fargate-desired_tasks').fill('11');
  const message = '11 tasks is outside the autoscaling bounds 2–10';
  await page.locator('.field-msg.error', { hasText: message }).waitFor();
  await page.getByTestId('problems').getByText(message).waitFor();
  assert.match(await page.getByTestId('template-info').innerText(), /last valid plan/);
  // The last valid plan's template can still be read in either format.
  await page.locator('[data-format=yaml]').click();
  await page.waitForFunction(() => document.querySelector('pre.code').innerText.startsWith('AWSTemplateFormatVersion:'));
  assert.match(await templateText(page), /^ {4}Type: AWS::ECS::Service$/m);
  assert.match(await page.getByTestId('template-info').innerText(), /last valid plan/);
  await page.locator('[data-format=json]').click();
  await page.waitForFunction(() => document.querySelector('pre.code').innerText.startsWith('{'));
  await page.locator('#f-fargate-min_tasks').fill('20');
  await page.locator('.field-msg.error', { hasText: 'min_tasks (20) is above max_tasks (10)' }).waitFor();
  await page.locator('#f-fargate-min_tasks').fill('abc');
  await page.locator('.field-msg.error', { hasText: '"abc" is not a whole number, such as 1000 or 1,000' }).waitFor();
});

test('switching architecture keeps each side\'s settings', async () => {
  const page = await t.open();
  await page.locator('#f-fargate-vcpu').selectOption('4');
  await page.locator('[data-arch=lambda]').click();
  await page.locator('#f-lambda-memory_mb').waitFor();
  assert.match(await templateText(page), /AWS::Lambda::Function/);
  await page.locator('[data-arch=fargate]').click();
  assert.equal(await page.locator('#f-fargate-vcpu').inputValue(), '4');
});

test('a Lambda function can run a container image: the template, the form and the cost follow', async () => {
  const page = await t.open();
  await page.locator('[data-arch=lambda]').click();
  const image = page.locator('#f-lambda-image');
  await image.fill('123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop-api');
  await image.press('Tab');
  await page.locator('.field-msg.error', { hasText: 'Lambda pulls images only from its own region' }).waitFor();
  await image.fill('123456789012.dkr.ecr.us-east-1.amazonaws.com/shop-api');
  await image.press('Tab');
  await page.waitForFunction(() => /"PackageType": "Image"/.test(document.querySelector('pre.code').innerText));
  const template = await templateText(page);
  assert.match(template, /"Fn::Sub": "123456789012\.dkr\.ecr\.us-east-1\.amazonaws\.com\/shop-api:\$\{ImageTag\}"/);
  assert.doesNotMatch(template, /CodeS3Bucket|"Handler"/);
  assert.equal(await page.locator('#f-lambda-handler').count(), 0, 'the image brings its own handler');
  await page.getByText('Function image storage').first().waitFor();
});

test('a table\'s sort key has its own type, kept when the key is renamed', async () => {
  const page = await t.open();
  await page.locator('[data-arch=lambda]').click();
  const has = (re) => page.waitForFunction((src) => new RegExp(src).test(document.querySelector('pre.code').innerText), re.source);
  await has(/\{"AttributeName": "query_id", "AttributeType": "S"\}/);
  await page.locator('#f-lambda-tables-0--sort_key-type').selectOption('N');
  await has(/\{"AttributeName": "query_id", "AttributeType": "N"\}/);
  // Renaming used to rebuild the key as a string: an update deploy would replace the table.
  await page.locator('#f-lambda-tables-0--sort_key-name').fill('query_no');
  await has(/\{"AttributeName": "query_no", "AttributeType": "N"\}/);
  assert.equal(await page.locator('#f-lambda-tables-0--sort_key-type').inputValue(), 'N');
  // Without a sort key there is no type to choose.
  await page.locator('#f-lambda-tables-0--sort_key-name').fill('');
  await page.locator('#f-lambda-tables-0--sort_key-type').waitFor({ state: 'detached' });
});

test('renaming a tag onto another tag\'s key is refused and loses nothing', async () => {
  const page = await t.open();
  const team = page.locator('[data-tag-key]').nth(1);
  assert.equal(await team.getAttribute('aria-label'), 'Key of tag 2');
  assert.equal(await team.inputValue(), 'team');
  await team.fill('env');
  await team.press('Tab');
  // Said at the tag and among the checks, which count it as an error (Deploy waits for it).
  const said = '"env" is another tag\'s key: rename or remove that one first; the plan keeps this tag\'s key, "team", until then';
  await page.locator('#mf-tags-team .field-msg.error', { hasText: said }).waitFor();
  await page.getByTestId('problems').getByText(said).waitFor();
  assert.equal(await team.getAttribute('aria-invalid'), 'true');
  assert.equal(await team.inputValue(), 'env', 'the typed key stays in the box');
  assert.match(await templateText(page), /"StackTags": \{"stackplan:project": "shop", "env": "prod", "team": "web"\}/);
  await team.fill('owner');
  await team.press('Tab');
  await page.waitForFunction(() => /"env": "prod", "owner": "web"/.test(document.querySelector('pre.code').innerText));
  assert.equal(await page.getByText('is another tag\'s key').count(), 0);
  // Refused again, then the tag that has the key is removed, as the message says: the rename
  // asked for goes through.
  await team.fill('env');
  await team.press('Tab');
  await page.getByTestId('problems').getByText('is another tag\'s key').waitFor();
  await page.getByRole('button', { name: 'Remove tag env' }).click();
  await page.waitForFunction(() => /"StackTags": \{"stackplan:project": "shop", "env": "web"\}/.test(document.querySelector('pre.code').innerText));
  assert.equal(await page.getByText('is another tag\'s key').count(), 0);
  // Removing a tag whose rename was refused takes its message with it.
  await page.locator('[data-add=tags]').click();
  const added = page.locator('#f-tags-tag2');
  await added.fill('env');
  await added.press('Tab');
  await page.getByTestId('problems').getByText('is another tag\'s key').waitFor();
  await page.getByRole('button', { name: 'Remove tag tag2' }).click();
  await page.waitForFunction(() => !/"tag2"/.test(document.querySelector('pre.code').innerText));
  assert.equal(await page.getByText('is another tag\'s key').count(), 0);
  // An emptied key is named in words among the checks, not only by its path, `tags.`.
  const last = page.locator('[data-tag-key]').first();
  await last.fill('');
  await last.press('Tab');
  const empty = page.getByTestId('problems').locator('a[href="#f-tags-"]');
  assert.match(await empty.innerText(), /^A tag without a key tags\.$/);
});

test('a new tag\'s value typed right after its key is kept, clicked into or tabbed into at once', async () => {
  const page = await t.open();
  // The mouse: the key typed, then a click in its value box, then the value.
  await page.locator('[data-add=tags]').click();
  const key = page.locator('#f-tags-tag3');
  await key.fill('owner');
  await page.locator('[aria-label="Value of tag tag3"]').click();
  // The row keeps its boxes through the rename: the focus stays in the value box, not back in
  // the key box (where the value used to be typed, after the key).
  await page.waitForFunction(() => document.activeElement?.id === 'vf-tags-owner');
  await page.keyboard.type('alice');
  await page.waitForFunction(() => /"owner": "alice"/.test(document.querySelector('pre.code').innerText));
  assert.equal(await page.locator('#vf-tags-owner').inputValue(), 'alice');
  // The keyboard, as fast as it goes: Add tag puts the focus in the new key box, its name
  // selected; then the key, Tab, the value, with no pause between.
  await page.locator('[data-add=tags]').click();
  await page.waitForFunction(() => document.activeElement?.id === 'f-tags-tag4');
  await page.keyboard.type('cost');
  await page.keyboard.press('Tab');
  await page.keyboard.type('42');
  await page.waitForFunction(() => /"cost": "42"/.test(document.querySelector('pre.code').innerText));
  assert.equal(await page.locator('#f-tags-cost').inputValue(), 'cost');
  assert.equal(await page.locator('#vf-tags-cost').inputValue(), '42');
});

test('renaming a tag keeps its row, its place and the focus', async () => {
  const page = await t.open();
  const team = page.locator('[data-tag-key]').nth(1);
  assert.equal(await team.inputValue(), 'team');
  // Leaving the key with Tab: the focus is in the renamed row's value box.
  await team.fill('alpha');
  await team.press('Tab');
  await page.waitForFunction(() => document.activeElement?.id === 'vf-tags-alpha');
  assert.equal(await page.evaluate(() => document.activeElement.value), 'web');
  // The row stays second, though "alpha" comes before "env" in the template's key order.
  await page.waitForFunction(() => /"alpha": "web", "env": "prod"/.test(document.querySelector('pre.code').innerText));
  assert.deepEqual(await page.locator('[data-tag-key]').evaluateAll((boxes) => boxes.map((b) => b.value)), ['env', 'alpha']);
  // With Enter: the focus stays in the key box.
  const alpha = page.locator('#f-tags-alpha');
  await alpha.fill('zulu');
  await alpha.press('Enter');
  await page.waitForFunction(() => document.activeElement?.id === 'f-tags-zulu');
  assert.equal(await page.locator('[data-tag-key]').last().inputValue(), 'zulu');
});

test('a reload keeps the settings of the architecture switched away from, for switching back', async () => {
  const page = await t.open();
  await page.locator('#f-fargate-vcpu').selectOption('2');
  await page.locator('[data-arch=lambda]').click();
  await page.locator('#f-lambda-memory_mb').fill('640');
  await page.waitForFunction(() => /"MemorySize": 640/.test(document.querySelector('pre.code').innerText));
  await page.reload();
  await page.getByTestId('monthly-total').waitFor();
  assert.equal(await page.locator('[data-arch=lambda]').getAttribute('aria-checked'), 'true');
  assert.equal(await page.locator('#f-lambda-memory_mb').inputValue(), '640');
  await page.locator('[data-arch=fargate]').click();
  await page.waitForFunction(() => document.querySelector('#f-fargate-vcpu')?.value === '2');
  // And the Lambda settings, now the other side, after another reload.
  await page.reload();
  await page.getByTestId('monthly-total').waitFor();
  assert.equal(await page.locator('#f-fargate-vcpu').inputValue(), '2');
  await page.locator('[data-arch=lambda]').click();
  await page.waitForFunction(() => document.querySelector('#f-lambda-memory_mb')?.value === '640');
});

test('a reload gives back the plan being edited; another share link loaded in the tab opens that link', async () => {
  // A link to the Lambda example, as Share puts it in the address bar.
  const sharer = await t.open();
  await sharer.locator('[data-arch=lambda]').click();
  await sharer.getByTestId('share').click();
  await sharer.waitForFunction(() => location.hash.includes('plan='));
  const link = sharer.url();

  const page = await t.open();
  await page.locator('#f-project').fill('draftshop');
  await page.locator('[data-add=tags]').click();
  await page.waitForFunction(() => /"tag3": ""/.test(document.querySelector('pre.code').innerText));
  // The template's tab comes back too.
  await page.locator('[data-format=yaml]').click();
  await page.waitForFunction(() => /^AWSTemplateFormatVersion: /.test(document.querySelector('pre.code').innerText));
  await page.reload();
  await page.getByTestId('monthly-total').waitFor();
  assert.equal(await page.locator('[data-format=yaml]').getAttribute('aria-selected'), 'true');
  await page.waitForFunction(() => /^AWSTemplateFormatVersion: /.test(document.querySelector('pre.code').innerText), null, { timeout: 10000 });
  assert.equal(await page.locator('#f-project').inputValue(), 'draftshop');
  assert.equal(await page.locator('#f-tags-tag3').count(), 1);
  assert.equal(await page.locator('[data-arch=fargate]').getAttribute('aria-checked'), 'true');
  assert.match(await templateText(page), /draftshop/);

  // Another address in the same tab (the link, loaded anew): its plan, not the draft.
  const url = new URL(link);
  url.search = '?from=elsewhere';
  await page.goto(url.href);
  await page.getByTestId('monthly-total').waitFor();
  assert.equal(await page.locator('[data-arch=lambda]').getAttribute('aria-checked'), 'true');
  assert.equal(await page.locator('#f-project').inputValue(), 'shop');
  // Edited there, then reloaded: the edits made after the link opened come back.
  await page.locator('#f-project').fill('linkedshop');
  await page.waitForFunction(() => /linkedshop/.test(document.querySelector('pre.code').innerText));
  await page.reload();
  await page.getByTestId('monthly-total').waitFor();
  assert.equal(await page.locator('#f-project').inputValue(), 'linkedshop');
  assert.equal(await page.locator('[data-arch=lambda]').getAttribute('aria-checked'), 'true');
  // Back at the first address: its own draft, which the link's did not replace.
  await page.goto(t.server.url);
  await page.getByTestId('monthly-total').waitFor();
  assert.equal(await page.locator('#f-project').inputValue(), 'draftshop');
  assert.equal(await page.locator('[data-arch=fargate]').getAttribute('aria-checked'), 'true');
});

test('once a share link is in the address, the address follows the plan; a bare address is left alone', async () => {
  const sharer = await t.open();
  await sharer.getByTestId('share').click();
  await sharer.waitForFunction(() => location.hash.includes('plan='));
  const first = sharer.url();
  // Opened as it is, the address keeps what its sharer wrote.
  const page = await t.open(first);
  await page.waitForTimeout(1500);
  assert.equal(page.url(), first);
  const entries = await page.evaluate(() => history.length);
  await page.locator('#f-project').fill('followed');
  await page.waitForFunction((f) => location.href !== f, first, { timeout: 10000 });
  const moved = page.url();
  assert.match(moved, /#plan=1\.[\w-]+&book=/);
  assert.equal(await page.evaluate(() => history.length), entries, 'no history entry');
  // The address copied from the bar opens what the page shows; a reload keeps it too.
  const other = await t.open(moved);
  assert.equal(await other.locator('#f-project').inputValue(), 'followed');
  await page.reload();
  await page.getByTestId('monthly-total').waitFor();
  assert.equal(await page.locator('#f-project').inputValue(), 'followed');
  // The draft moved with the address: one draft in the tab, at the address it is at.
  const drafts = await page.evaluate(() => Object.keys(sessionStorage).filter((k) => k.startsWith('stackplan-draft:')));
  assert.deepEqual(drafts, [`stackplan-draft:${new URL(moved).hash}`]);
  // A link that does not read stays as it is, for the user to mend.
  const broken = await t.open(`${t.server.url}#plan=1.AAAA`);
  await broken.getByTestId('link-error').waitFor();
  await broken.locator('#f-project').fill('mended');
  await broken.waitForTimeout(1500);
  assert.equal(new URL(broken.url()).hash, '#plan=1.AAAA');
  // An address without a link shows the example there: edits leave it as it is.
  const bare = await t.open();
  await bare.locator('#f-project').fill('unlinked');
  await bare.waitForTimeout(1500);
  assert.equal(new URL(bare.url()).hash, '');
});

test('a number typed wrong stays as typed, with its message, while other fields change', async () => {
  const page = await t.open();
  const desired = page.locator('#f-fargate-desired_tasks');
  await desired.fill('3x');
  const said = '"3x" is not a whole number, such as 1000 or 1,000';
  await page.locator('.field-msg.error', { hasText: said }).waitFor();
  // The page does not act on a value the box no longer shows: the box is an error under
  // Checks, with what the plan keeps meanwhile.
  const checks = page.getByTestId('problems');
  await checks.getByText(`${said}: the plan keeps 2 until the box holds one it takes`).waitFor();
  assert.equal(await checks.locator('.badge').innerText(), '1 error');
  assert.equal(await desired.getAttribute('aria-invalid'), 'true');
  const before = await templateText(page);
  await page.locator('#f-fargate-max_tasks').fill('9');
  await page.waitForFunction((old) => document.querySelector('pre.code').innerText !== old, before);
  assert.equal(await desired.inputValue(), '3x', 'another field\'s edit kept what was typed here');
  await page.locator('.field-msg.error', { hasText: said }).waitFor();
  // Thousands may be grouped as people write them.
  await desired.fill('3');
  await page.locator('#f-workload-requests_per_month').fill('12,000,000');
  await page.waitForFunction(() => document.querySelector('[data-testid=problems] .badge').innerText === 'valid');
  assert.equal(await desired.getAttribute('aria-invalid'), 'false');
  // A decimal box says it takes a number, not a whole one, and a decimal comma is not guessed.
  await page.locator('#f-workload-log_gb_per_month').fill('2,5');
  await page.locator('.field-msg.error', { hasText: /^"2,5" is not a number, such as 0\.25 or 1,500/ }).waitFor();
  // A box that leaves the page takes its error with it.
  await page.locator('#f-fargate-database-storage_gb').fill('lots');
  await checks.getByText('"lots" is not a whole number').waitFor();
  await page.locator('#f-fargate-database').uncheck();
  await page.waitForFunction(() => !/"lots"/.test(document.querySelector('[data-testid=problems]').innerText));
  assert.match(await checks.innerText(), /"2,5" is not a number/);
});

test('a section switched off and on again comes back as it was', async () => {
  const page = await t.open();
  await page.locator('#f-fargate-database-instance_class').selectOption('db.t4g.small');
  await page.waitForFunction(() => /"DBInstanceClass": "db\.t4g\.small"/.test(document.querySelector('pre.code').innerText));
  await page.locator('#f-fargate-database').uncheck();
  await page.waitForFunction(() => !/AWS::RDS::DBInstance/.test(document.querySelector('pre.code').innerText));
  await page.locator('#f-fargate-database').check();
  await page.waitForFunction(() => /"DBInstanceClass": "db\.t4g\.small"/.test(document.querySelector('pre.code').innerText));
  assert.equal(await page.locator('#f-fargate-database-instance_class').inputValue(), 'db.t4g.small');
  const arn = 'arn:aws:acm:us-east-1:123456789012:certificate/0f1e2d3c-aaaa-bbbb-cccc-1234567890ab';
  await page.locator('#f-fargate-https').check();
  await page.locator('#f-fargate-https-certificate_arn').fill(arn);
  await page.locator('#f-fargate-https').uncheck();
  await page.locator('#f-fargate-https').check();
  assert.equal(await page.locator('#f-fargate-https-certificate_arn').inputValue(), arn);
  // Switched off, then to Lambda and back (which builds the Fargate panel anew): still kept.
  await page.locator('#f-fargate-database').uncheck();
  await page.waitForFunction(() => !/AWS::RDS::DBInstance/.test(document.querySelector('pre.code').innerText));
  await page.locator('[data-arch=lambda]').click();
  await page.waitForFunction(() => /AWS::Lambda::Function/.test(document.querySelector('pre.code').innerText));
  await page.locator('[data-arch=fargate]').click();
  await page.locator('#f-fargate-database').check();
  await page.waitForFunction(() => /"DBInstanceClass": "db\.t4g\.small"/.test(document.querySelector('pre.code').innerText));
  assert.equal(await page.locator('#f-fargate-database-instance_class').inputValue(), 'db.t4g.small');
});

test('while the plan is invalid, the template saved is the last valid one, under its plan\'s name', async () => {
  const page = await t.open();
  // An SSM SecureString is for ECS tasks only: the same plan as Lambda is invalid at once.
  await page.getByRole('button', { name: 'Add variable' }).click();
  // (Not DB_PASSWORD: the template sets that one itself when the plan has a database.)
  await page.getByLabel('Variable 1 name').fill('SESSION_KEY');
  await page.getByLabel('Variable 1 source').selectOption('ssm_parameter');
  await page.getByLabel('Variable 1 value').fill('/shop/session-key');
  await page.waitForFunction(() => /"Name": "SESSION_KEY"/.test(document.querySelector('pre.code').innerText));
  // On Lambda there is no valid plan of that architecture yet: nothing to save, and it says
  // why, rather than the Fargate plan's template under the Lambda card.
  await page.locator('[data-arch=lambda]').click();
  const save = page.getByTestId('download-template');
  await page.waitForFunction(() => document.querySelector('[data-testid=download-template]').disabled);
  assert.match(await save.getAttribute('title'), /fix the errors under Checks first/);
  // Back on Fargate, valid again; made invalid there, the last valid Fargate template is
  // saved, under its plan's name.
  await page.locator('[data-arch=fargate]').click();
  await page.locator('#f-fargate-desired_tasks').fill('11');
  await page.waitForFunction(() => /last valid plan/.test(document.querySelector('[data-testid=template-info]').innerText));
  const saved = await download(page, 'download-template');
  assert.equal(saved.name, 'shop-fargate.template.json');
  assert.match(fs.readFileSync(saved.file, 'utf8'), /"Name": "SESSION_KEY"/);
});

test('Add variable and Add table put the focus in the new row\'s name, selected, so it is typed at once', async () => {
  const page = await t.open();
  await page.getByRole('button', { name: 'Add variable' }).click();
  await page.waitForFunction(() => document.activeElement?.getAttribute('aria-label') === 'Variable 1 name', null, { timeout: 10000 });
  await page.keyboard.type('API_URL');
  assert.equal(await page.getByLabel('Variable 1 name').inputValue(), 'API_URL');
  // The template follows the name as it is typed, before the box is left.
  await page.waitForFunction(() => /"Name": "API_URL"/.test(document.querySelector('pre.code').innerText), null, { timeout: 10000 });
  await page.locator('[data-arch=lambda]').click();
  const tables = await page.locator('[data-remove=tables]').count();
  await page.locator('[data-add=tables]').click();
  await page.waitForFunction((n) => document.activeElement?.id === `f-lambda-tables-${n}--name`, tables, { timeout: 10000 });
  await page.keyboard.type('carts');
  assert.equal(await page.locator(`#f-lambda-tables-${tables}--name`).inputValue(), 'carts');
  await page.waitForFunction(() => /carts/.test(document.querySelector('pre.code').innerText), null, { timeout: 10000 });
  assert.equal(await page.locator(`[data-remove=tables]`).count(), tables + 1);
});

test('a variable name loses the spaces around it when its box is left; Add tag waits at the plan\'s limit', async () => {
  const page = await t.open();
  await page.getByRole('button', { name: 'Add variable' }).click();
  const name = page.getByLabel('Variable 1 name');
  await name.fill(' API_KEY ');
  await page.locator('.field-msg.error', { hasText: '" API_KEY " is not a variable name (it has spaces around it)' }).waitFor();
  await name.press('Tab');
  assert.equal(await name.inputValue(), 'API_KEY');
  await page.waitForFunction(() => /"Name": "API_KEY"/.test(document.querySelector('pre.code').innerText));
  assert.equal(await page.locator('.field-msg.error').count(), 0);

  const add = page.locator('[data-add=tags]');
  while (await page.locator('[data-tag-key]').count() < 10) await add.click();
  await page.waitForFunction(() => document.querySelector('[data-add=tags]').getAttribute('aria-disabled') === 'true');
  assert.equal(await page.locator('#tags-full').innerText(), 'A plan has at most 10 tags.');
  assert.equal(await add.getAttribute('aria-describedby'), 'tags-full');
  // A click adds nothing (Playwright will not click what says it is disabled: the event is
  // sent); the button stays a Tab stop, its reason read with it.
  await add.dispatchEvent('click');
  assert.equal(await page.locator('[data-tag-key]').count(), 10);
  await add.focus();
  assert.equal(await page.evaluate(() => document.activeElement.dataset.add), 'tags');
  // One removed, it adds again.
  await page.locator('[data-remove=tags]').first().click();
  await page.waitForFunction(() => document.querySelector('[data-add=tags]').getAttribute('aria-disabled') === null);
  assert.equal(await page.locator('#tags-full').count(), 0);
});

test('a variable switched to a generated secret and back keeps its value', async () => {
  const page = await t.open();
  await page.getByRole('button', { name: 'Add variable' }).click();
  await page.getByLabel('Variable 1 value').fill('production');
  await page.getByLabel('Variable 1 source').selectOption('generate');
  assert.equal(await page.getByLabel('Variable 1 value').isDisabled(), true);
  await page.getByLabel('Variable 1 source').selectOption('value');
  assert.equal(await page.getByLabel('Variable 1 value').inputValue(), 'production');
  // Kept while other rows come and go (the rows are built again each time), and the kept
  // text moves up with its row when one above it is removed.
  await page.getByLabel('Variable 1 value').fill('prod/db');
  await page.getByLabel('Variable 1 source').selectOption('secret');
  await page.getByLabel('Variable 1 source').selectOption('generate');
  await page.getByRole('button', { name: 'Add variable' }).click();
  await page.getByRole('button', { name: 'Add variable' }).click();
  await page.getByLabel('Variable 3 value').fill('third');
  await page.getByLabel('Variable 3 source').selectOption('generate');
  await page.getByLabel('Variable 1 source').selectOption('secret');
  assert.equal(await page.getByLabel('Variable 1 value').inputValue(), 'prod/db');
  await page.locator('[data-remove=environment]').nth(1).click();
  await page.getByLabel('Variable 2 source').selectOption('value');
  assert.equal(await page.getByLabel('Variable 2 value').inputValue(), 'third');
});

test('the environment: a setting, a secret reference and a generated key reach the template, the cost and the link; a reserved name says why', async () => {
  const page = await t.open();
  const before = await total(page);
  const row = async (n, name, kind, value) => {
    await page.getByRole('button', { name: 'Add variable' }).click();
    await page.getByLabel(`Variable ${n} name`).fill(name);
    await page.getByLabel(`Variable ${n} name`).press('Tab');
    await page.getByLabel(`Variable ${n} source`).selectOption(kind);
    if (value !== undefined) await page.getByLabel(`Variable ${n} value`).fill(value);
  };
  await row(1, 'PRSM_ENV', 'value', 'production');
  await row(2, 'STRIPE_KEY', 'secret', 'stackplan/shop/stripe');
  // One key of a JSON secret.
  await page.getByLabel('Variable 2 JSON key').fill('live');
  await row(3, 'API_KEY', 'generate');
  await page.waitForFunction(() => /GeneratedApiKeySecret/.test(document.querySelector('pre.code').innerText));
  const template = await templateText(page);
  assert.match(template, /"Name": "PRSM_ENV", "Value": "production"/);
  assert.match(template, /secret:stackplan\/shop\/stripe-\?\?\?\?\?\?/, 'read access to exactly that secret');
  assert.match(template, /"ValueFrom": \{\s*"Fn::Sub": "arn:\$\{AWS::Partition\}:secretsmanager:\$\{AWS::Region\}:\$\{AWS::AccountId\}:secret:stackplan\/shop\/stripe:live::"/);
  assert.equal(await page.getByLabel('Variable 3 value').isDisabled(), true);
  // The generated key is a Secrets Manager secret: $0.40 a month more.
  const cents = (s) => Math.round(Number(s.replace(/[$,+]/g, '')) * 100);
  assert.equal(cents(await total(page)) - cents(before), 40, `${before} → ${await total(page)}`);

  await row(4, 'AWS_REGION', 'value', 'eu-west-1');
  await page.locator('.field-msg.error', { hasText: 'AWS_REGION is reserved: AWS sets AWS_* variables like it itself' }).waitFor();
  await page.getByTestId('environment').screenshot({ path: path.join(artifacts, 'environment.png') });
  await page.getByRole('button', { name: 'Remove variable AWS_REGION' }).click();
  await page.locator('.field-msg.error').first().waitFor({ state: 'detached' });
  // The focus stays in the list, on the row before (the last one now), not on the page's body.
  await page.waitForFunction(() => document.activeElement?.getAttribute('aria-label') === 'Remove variable API_KEY');

  await page.getByTestId('share').click();
  const other = await t.open(await page.getByTestId('share-link').inputValue());
  assert.equal(await other.getByLabel('Variable 2 value').inputValue(), 'stackplan/shop/stripe');
  assert.equal(await other.getByLabel('Variable 2 JSON key').inputValue(), 'live');
  assert.equal(await other.getByLabel('Variable 3 source').inputValue(), 'generate');
  assert.equal(await templateText(other), await templateText(page));
});

test('a field with a problem says so to assistive technology, and each problem\'s link goes to its field', async () => {
  const page = await t.open();
  const project = page.locator('#f-project');
  await project.fill('');
  await page.locator('.field-msg.error').first().waitFor();
  assert.equal(await project.getAttribute('aria-invalid'), 'true');
  const described = await project.getAttribute('aria-describedby');
  assert.match(await page.locator(`#${described}`).innerText(), /3–24 characters/);
  // Messages are read with their field, not announced at every keystroke.
  assert.equal(await page.locator('.field-msg[role=status]').count(), 0);
  await project.fill('shop');
  await page.waitForFunction(() => document.querySelector('#f-project').getAttribute('aria-invalid') === 'false');
  // A number out of range: invalid too, though it reads as a number.
  await page.locator('#f-fargate-max_tasks').fill('0');
  await page.waitForFunction(() => document.querySelector('#f-fargate-max_tasks').getAttribute('aria-invalid') === 'true');
  // From the foot of the page, a problem's link brings its field into view with its label,
  // clear of the sticky top bar.
  await page.locator('#f-fargate-max_tasks').fill('0');
  await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
  await page.locator('[data-testid=problems] a[href="#f-fargate-max_tasks"]').click();
  await page.waitForFunction(() => document.activeElement?.id === 'f-fargate-max_tasks');
  const { label, bar } = await page.evaluate(() => ({
    label: document.querySelector('label[for=f-fargate-max_tasks]').getBoundingClientRect().top,
    bar: document.querySelector('.topbar').getBoundingClientRect().bottom,
  }));
  assert.ok(label >= bar, `the label's top (${label} px) is under the top bar (to ${bar} px)`);
  await page.locator('#f-fargate-max_tasks').fill('10');
  // A variable's problem links to the variable's own box.
  await page.getByRole('button', { name: 'Add variable' }).click();
  await page.getByLabel('Variable 1 name').fill('AWS_REGION');
  await page.getByLabel('Variable 1 name').press('Tab');
  const link = page.locator('[data-testid=problems] a[href="#f-environment-0--name"]');
  await link.click();
  assert.equal(await page.evaluate(() => document.activeElement.getAttribute('aria-label')), 'Variable 1 name');
  assert.match(await page.locator(`#${await page.getByLabel('Variable 1 name').getAttribute('aria-describedby')}`).innerText(), /AWS_REGION is reserved/);
});

test('the architecture cards and the template tabs are one Tab stop each, moved by the arrow keys', async () => {
  const page = await t.open();
  const fargate = page.locator('[data-arch=fargate]');
  const lambda = page.locator('[data-arch=lambda]');
  assert.deepEqual([await fargate.getAttribute('tabindex'), await lambda.getAttribute('tabindex')], ['0', '-1']);
  await fargate.focus();
  await page.keyboard.press('ArrowRight');
  await page.waitForFunction(() => document.querySelector('[data-arch=lambda]').getAttribute('aria-checked') === 'true');
  assert.equal(await page.evaluate(() => document.activeElement.dataset.arch), 'lambda');
  assert.deepEqual([await fargate.getAttribute('tabindex'), await lambda.getAttribute('tabindex')], ['-1', '0']);
  await page.waitForFunction(() => document.querySelector('pre.code').innerText.includes('AWS::Lambda::Function'));
  // Wrapping: right from the last card is the first.
  await page.keyboard.press('ArrowRight');
  await page.waitForFunction(() => document.querySelector('[data-arch=fargate]').getAttribute('aria-checked') === 'true');
  assert.equal(await page.evaluate(() => document.activeElement.dataset.arch), 'fargate');
  // The tabs: End chooses YAML and focuses it; the panel is labelled by the chosen tab.
  await page.locator('[data-format=json]').focus();
  await page.keyboard.press('End');
  await page.waitForFunction(() => document.querySelector('[data-format=yaml]').getAttribute('aria-selected') === 'true');
  assert.equal(await page.evaluate(() => document.activeElement.dataset.format), 'yaml');
  assert.equal(await page.locator('pre.code').getAttribute('aria-labelledby'), 'template-tab-yaml');
  assert.match(await templateText(page), /^AWSTemplateFormatVersion: /);
  // Tab leaves the list for the next control, not the other tab.
  await page.keyboard.press('Tab');
  assert.notEqual(await page.evaluate(() => document.activeElement.getAttribute('role')), 'tab');
});

test('a screen reader hears the new total once the edits pause, not at each keystroke', async () => {
  const page = await t.open();
  const spoken = page.getByTestId('spoken-total');
  assert.equal(await spoken.getAttribute('aria-live'), 'polite');
  // The page's first settled total is read with the page, not announced.
  await new Promise((r) => setTimeout(r, 2000));
  assert.equal(await spoken.textContent(), '');
  const before = await total(page);
  // Three edits 200 ms apart, typed in the page (its timers, not the test's round trips, set
  // the pace): nothing is said while they go on.
  const during = await page.evaluate(async () => {
    const box = document.querySelector('#f-workload-log_gb_per_month');
    const said = [];
    for (const gb of ['1', '12', '120']) {
      box.value = gb;
      box.dispatchEvent(new Event('input', { bubbles: true }));
      await new Promise((r) => setTimeout(r, 200));
      said.push(document.querySelector('[data-testid=spoken-total]').textContent);
    }
    return said;
  });
  assert.deepEqual(during, ['', '', '']);
  await page.waitForFunction(() => document.querySelector('[data-testid=spoken-total]').textContent !== '');
  const after = await total(page);
  assert.notEqual(after, before);
  const words = (t) => t.replace(/^(.*)\+$/, 'at least $1');
  assert.equal(await spoken.textContent(), `Monthly cost now ${words(after)}, was ${words(before)}`);
  // Traffic beyond what the plan can serve: the capacity note is not a live region of its own
  // (its numbers change at each keystroke); the paused sentence carries it.
  await page.locator('#f-workload-requests_per_month').fill('50000000000');
  const note = page.getByTestId('over-capacity-note');
  await note.waitFor();
  assert.equal(await note.getAttribute('role'), null);
  assert.equal(await note.getAttribute('aria-live'), null);
  await page.waitForFunction(() => /Over capacity/.test(document.querySelector('[data-testid=spoken-total]').textContent));
  assert.match(await spoken.textContent(), /^Monthly cost now .+, was .+\. Over capacity: the traffic needs [\d,]+ tasks, but the plan allows at most 10/);
  // An error is said once the edits pause (its message sits at a field the user may have
  // left, and the total stops following the plan), and so is its end.
  await page.locator('#f-fargate-min_tasks').fill('20');
  await page.waitForFunction(() => /in the plan/.test(document.querySelector('[data-testid=spoken-total]').textContent), null, { timeout: 10000 });
  assert.match(await spoken.textContent(), /^1 error in the plan, the first at fargate\.min_tasks: .+\. The cost shown is the last valid plan's$/);
  await page.locator('#f-fargate-min_tasks').fill('2');
  await page.waitForFunction(() => /valid again/.test(document.querySelector('[data-testid=spoken-total]').textContent), null, { timeout: 10000 });
  assert.match(await spoken.textContent(), /^The plan is valid again\. Monthly cost /);
});

test('copying lines of the template gives their text, each newline once', async () => {
  // Each line is a block of its own (an edit lays out only its lines) that ends in its newline:
  // a copy keeps that newline and adds no line break of its own at the block's end.
  const page = await t.open();
  const lines = await page.evaluate(() => {
    const code = document.querySelector('#template-text code');
    const range = document.createRange();
    range.setStart(code.children[3], 0);
    range.setEnd(code.children[10], 0); // as a drag to the start of the next line ends
    getSelection().removeAllRanges();
    getSelection().addRange(range);
    const lines = code.textContent.split('\n').slice(3, 10).join('\n') + '\n';
    return lines;
  });
  await page.locator('pre.code').focus();
  await page.keyboard.press('Control+C');
  const text = await page.evaluate(() => navigator.clipboard.readText());
  assert.equal(text, lines);
  assert.equal(text.split('\n').length, 8, text);
  assert.match(text, /^ {2}"Metadata": \{\n {4}"Stackplan": \{\n/);
});

test('the downloaded template equals `stackplan template` byte for byte', async () => {
  const page = await t.open();
  await page.locator('[data-arch=lambda]').click();
  await page.locator('#f-lambda-memory_mb').fill('1024');
  await page.locator('#f-lambda-api').selectOption('rest');
  for (const format of ['json', 'yaml']) {
    await page.locator(`[data-format=${format}]`).click();
    const plan = await download(page, 'download-plan');
    const tpl = await download(page, 'download-template');
    assert.equal(tpl.name, `shop-lambda.template.${format}`);
    const cli = execFileSync(bin, ['template', '--plan', plan.file, '--format', format]);
    assert.ok(cli.equals(fs.readFileSync(tpl.file)), `browser and CLI ${format} templates differ`);
  }
});

test('a saved plan opens again in the page; a file that is not a plan changes nothing and says where', async () => {
  const page = await t.open();
  await page.locator('[data-arch=lambda]').click();
  await page.locator('#f-lambda-memory_mb').fill('1024');
  const saved = await download(page, 'download-plan');
  const template = await templateText(page);
  // Elsewhere now: back to Fargate, another project.
  await page.locator('[data-arch=fargate]').click();
  await page.locator('#f-project').fill('other');
  await page.waitForFunction((t) => document.querySelector('pre.code').innerText !== t, template);
  // A box left holding text that is not a number, whose plan value the file has too.
  const requests = page.locator('#f-workload-requests_per_month');
  const kept = await requests.inputValue();
  await requests.fill('12a');
  // Saved now, the file has the plan's value in its place, and the page says so, as Share
  // does of its link.
  assert.equal(await page.getByTestId('saved-note').textContent(), '');
  await download(page, 'download-plan');
  assert.match(await page.getByTestId('saved-note').textContent(),
    /^Saved other-fargate\.plan\.json\. .+ \(workload\.requests_per_month\) holds text the plan does not take: the file has the plan's value, as the cost does\.$/);
  await page.getByTestId('open-plan-file').setInputFiles(saved.file);
  await page.waitForFunction((t) => document.querySelector('pre.code').innerText === t, template);
  assert.equal(await page.locator('#f-lambda-memory_mb').inputValue(), '1024');
  assert.equal(await page.locator('#f-project').inputValue(), 'shop');
  // The opened plan is what the page shows, every box included.
  assert.equal(await requests.inputValue(), kept);
  assert.equal(await requests.getAttribute('aria-invalid'), 'false');
  assert.equal(await page.locator('[data-testid=problems] .badge').innerText(), 'valid');
  // The plan the file replaced is not lost: the page puts it back, then the file's again, and
  // the focus stays on the button that swaps them.
  assert.equal(await page.getByTestId('opened-said').innerText(), `Opened ${saved.name}, in place of the plan you had.`);
  const swap = page.getByTestId('opened-swap');
  assert.equal(await swap.innerText(), 'Put back the plan you had');
  await swap.click();
  await page.waitForFunction(() => document.querySelector('#f-project').value === 'other', null, { timeout: 10000 });
  assert.equal(await page.locator('[data-arch=fargate]').getAttribute('aria-checked'), 'true');
  assert.match(await page.getByTestId('opened-said').innerText(), /^The plan you had before opening shop-lambda\.plan\.json is back/);
  assert.equal(await swap.innerText(), `Back to ${saved.name}'s plan`);
  assert.equal(await page.evaluate(() => document.activeElement?.dataset.testid), 'opened-swap');
  await page.keyboard.press('Enter');
  await page.waitForFunction((t) => document.querySelector('pre.code').innerText === t, template, { timeout: 10000 });
  assert.equal(await page.locator('#f-lambda-memory_mb').inputValue(), '1024');
  assert.equal(await swap.innerText(), 'Put back the plan you had');
  // A broken plan: the page keeps its own and names every wrong field, the first with its
  // place.
  const bad = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'stackplan-')), 'broken.plan.json');
  const text = fs.readFileSync(saved.file, 'utf8').replace('"memory_mb": 1024', '"memory_mb": "lots"')
    .replace('"timeout_s":', '"timeout_seconds":');
  assert.notEqual(text, fs.readFileSync(saved.file, 'utf8'));
  fs.writeFileSync(bad, text);
  await page.getByTestId('open-plan-file').setInputFiles(bad);
  const said = page.getByTestId('link-error');
  await said.waitFor();
  assert.match(await said.innerText(), /^broken\.plan\.json could not be opened: lambda\.memory_mb: [^;]*line \d+[^;]*; lambda\.timeout_seconds: unknown field `timeout_seconds`[^;]*\. The plan on the page is unchanged\./);
  assert.equal(await templateText(page), template);
});

test('a downloaded template opens as the plan it records, and an edited one says what is not in the plan', async () => {
  const page = await t.open();
  await page.locator('[data-arch=lambda]').click();
  await page.locator('#f-lambda-memory_mb').fill('1536');
  await page.locator('[data-format=yaml]').click();
  const tpl = await download(page, 'download-template');
  const template = await templateText(page);
  await page.locator('[data-arch=fargate]').click();
  await page.locator('#f-project').fill('other');
  await page.waitForFunction((t) => document.querySelector('pre.code').innerText !== t, template);
  await page.getByTestId('open-plan-file').setInputFiles(tpl.file);
  await page.waitForFunction((t) => document.querySelector('pre.code').innerText === t, template);
  assert.equal(await page.locator('#f-lambda-memory_mb').inputValue(), '1536');
  assert.equal(await page.locator('#f-project').inputValue(), 'shop');
  assert.equal(await page.getByTestId('opened-note').count(), 0, 'the template as downloaded: nothing more to say');
  assert.equal(await page.getByTestId('opened-said').innerText(), `Opened ${tpl.name}, in place of the plan you had.`);
  // Edited by hand: the plan it records opens, and the page says the edit is not in it.
  const edited = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'stackplan-')), 'edited.template.yaml');
  fs.writeFileSync(edited, fs.readFileSync(tpl.file, 'utf8').replace('MemorySize: 1536', 'MemorySize: 2048'));
  await page.locator('#f-project').fill('other');
  await page.getByTestId('open-plan-file').setInputFiles(edited);
  const note = page.getByTestId('opened-note');
  await note.waitFor();
  assert.match(await note.innerText(), /^It is a template: the page opened the plan it records\. The template itself is not the one this plan makes now \(it was edited, or written by another version of Stackplan\): its line \d+ reads "MemorySize: 2048" where the plan makes "MemorySize: 1536"\. What differs is not in the plan/);
  assert.equal(await page.getByTestId('opened-said').innerText(), 'Opened edited.template.yaml, in place of the plan you had.');
  assert.equal(await page.locator('#f-lambda-memory_mb').inputValue(), '1536');
  // A template Stackplan did not write changes nothing and says so.
  const foreign = path.join(path.dirname(edited), 'other.template.json');
  fs.writeFileSync(foreign, JSON.stringify({ AWSTemplateFormatVersion: '2010-09-09', Resources: { B: { Type: 'AWS::S3::Bucket' } } }));
  await page.getByTestId('open-plan-file').setInputFiles(foreign);
  const said = page.getByTestId('link-error');
  await said.waitFor();
  assert.match(await said.innerText(), /^other\.template\.json could not be opened: this is a CloudFormation template, but not one Stackplan wrote/);
  assert.equal(await templateText(page), template);
});

test('planning keeps working when the server goes away', async () => {
  const own = await startServer();
  const page = await t.open(own.url);
  // Everything the page fetches (favicon included) is in before the server goes.
  await page.waitForLoadState('networkidle');
  stopServer(own);
  await new Promise((r) => setTimeout(r, 200));
  const before = await total(page);
  await page.locator('#f-fargate-max_tasks').fill('30');
  await page.locator('#f-fargate-desired_tasks').fill('30');
  await page.locator('#f-fargate-min_tasks').fill('30');
  await page.waitForFunction((t) => document.querySelector('[data-testid=monthly-total]').innerText !== t, before);
});

test('on a phone the top bar is one line: the name, the total and Share', async () => {
  const page = await t.open();
  await page.setViewportSize({ width: 420, height: 900 });
  const bar = page.locator('header.topbar');
  const name = await page.locator('.topbar .name').boundingBox();
  const share = await bar.getByRole('button', { name: 'Share' }).boundingBox();
  const totalBox = await page.locator('.topbar .top-total').boundingBox();
  // All three on the bar's one row, inside the screen.
  for (const box of [name, share, totalBox]) {
    assert.ok(box && Math.abs((box.y + box.height / 2) - (name.y + name.height / 2)) < 12, JSON.stringify({ name, share, totalBox }));
    assert.ok(box.x >= 0 && box.x + box.width <= 420, JSON.stringify(box));
  }
  assert.match(await page.locator('.topbar .top-total').innerText(), /^\$[\d,]+\.\d\d\+?\/mo$/);
  const height = (await bar.boundingBox()).height;
  assert.ok(height < 70, `the bar is ${height} px tall`);
  await page.screenshot({ path: path.join(artifacts, 'planner-phone.png') });
});
