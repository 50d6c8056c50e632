// One-click deploy into the local sandbox: moto with the project's extensions (sandbox/) on
// 127.0.0.1, the real `stackplan serve` pointed at it (--aws-endpoint), the real release build
// in Chromium. The sandbox builds stacks after the request answers, one resource per PACE_MS,
// with an event per resource, as CloudFormation does; rollback sequences are tested against the
// sandbox in sandbox/tests and against a scripted double in server/tests/deploy.rs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { accessibilityViolations, artifacts, insertedStatusRegions, launch, openPage, root, startServer, stopServer, watchStatusRegions } from './harness.mjs';

// Time the sandbox spends on each resource: the Fargate example's 54 resources take about 4 s,
// long enough for the panel to poll intermediate states.
const PACE_MS = Number(process.env.STACKPLAN_SANDBOX_PACE_MS ?? 80);
let moto;
let motoEndpoint;
let server;
let browser;
let login;
// Two host consoles on other loopback ports: one the server lets embed the planner
// (--embed-origin), one it does not.
let allowedHost;
let foreignHost;
const pages = [];

/** A host console page that frames `?src=` (as `stackplan-embed.js` does, clipboard allowed) and records the messages it gets. */
function hostServer() {
  return new Promise((resolve) => {
    const s = http.createServer((req, res) => {
      const src = new URL(req.url, 'http://host').searchParams.get('src') ?? '';
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(`<!doctype html><title>Host console</title>
<script>window.received = []; addEventListener('message', (e) => window.received.push(e.data));</script>
<iframe id="planner" allow="clipboard-write" src="${src.replace(/&/g, '&amp;').replace(/"/g, '&quot;')}" style="width: 1360px; height: 940px"></iframe>`);
    });
    s.listen(0, '127.0.0.1', () => resolve({ server: s, origin: `http://127.0.0.1:${s.address().port}` }));
  });
}

function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

async function waitForPort(port) {
  for (let i = 0; i < 150; i++) {
    const ok = await new Promise((resolve) => {
      const c = net.connect(port, '127.0.0.1', () => { c.end(); resolve(true); });
      c.on('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`moto did not listen on ${port}`);
}

before(async () => {
  const port = await freePort();
  moto = spawn(
    path.join(root, '.venv', 'bin', 'python'),
    ['-m', 'stackplan_sandbox', '-H', '127.0.0.1', '-p', String(port), '--pace-ms', String(PACE_MS)],
    { stdio: 'ignore', env: { ...process.env, PYTHONPATH: path.join(root, 'sandbox') } },
  );
  await waitForPort(port);
  motoEndpoint = `http://127.0.0.1:${port}`;
  allowedHost = await hostServer();
  foreignHost = await hostServer();
  server = await startServer(['--aws-endpoint', `http://127.0.0.1:${port}`, '--embed-origin', allowedHost.origin]);
  // Not printed (the output is no terminal: a log could keep it), but written to the data
  // directory, readable by this user alone, and the output says where.
  for (let i = 0; i < 50 && !/To deploy, open the login URL in /.test(server.output()); i++) await new Promise((r) => setTimeout(r, 100));
  assert.doesNotMatch(server.output(), /#token=/);
  const file = path.join(server.dataDir, 'login-url');
  assert.ok(server.output().includes(`open the login URL in ${file} `), server.output());
  assert.equal(fs.statSync(file).mode & 0o777, 0o600);
  login = fs.readFileSync(file, 'utf8').trim().match(/^(http:\/\/127\.0\.0\.1:\d+\/#token=[0-9a-f]{64})$/)[1];
  browser = await launch();
});

after(async () => {
  for (const p of pages) await p.context.close();
  await browser?.close();
  stopServer(server);
  moto?.kill();
  allowedHost?.server.close();
  foreignHost?.server.close();
});

/** The text of the elements an element's `aria-describedby` names, as assistive technology joins them. */
function described(element) {
  const ids = (element.getAttribute('aria-describedby') ?? '').split(/\s+/).filter(Boolean);
  return ids.map((id) => document.getElementById(id)?.innerText ?? `(no #${id})`).join(' ');
}

/** Runs scripts/moto-tool.py against the sandbox, in its one account, and reads its JSON. */
function motoTool(...args) {
  return new Promise((resolve, reject) => {
    const child = spawn(
      path.join(root, '.venv', 'bin', 'python'),
      [path.join(root, 'scripts', 'moto-tool.py'), motoEndpoint, 'arn:aws:iam::123456789012:role/stackplan-deployer', ...args],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { err += d; });
    child.on('close', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`moto-tool ${args[0]}: ${err}`))));
  });
}

/** Writes a zip holding one file, with Python's zipfile (as a user's build tool would). */
function makeZip(file, name, text) {
  return new Promise((resolve, reject) => {
    const child = spawn(
      path.join(root, '.venv', 'bin', 'python'),
      ['-c', 'import sys, zipfile\nwith zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED) as z: z.writestr(sys.argv[2], sys.argv[3])', file, name, text],
      { stdio: 'ignore' },
    );
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`zip exited ${code}`))));
  });
}

/** A page in a context of its own, not yet opened, that keeps what it throws in `thrown`: for a
 *  test that makes a fetch fail, whose console error the checks of `open`'s pages would count. */
async function pageOfItsOwn() {
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  pages.push({ context });
  const page = await context.newPage();
  const thrown = [];
  page.on('pageerror', (e) => thrown.push(e.message));
  return { page, thrown };
}

async function open(url) {
  const opened = await openPage(browser, url);
  pages.push(opened);
  return opened;
}

test('Deploy creates the Lambda example in the sandbox, shows progress, outputs and events, then deletes it', async () => {
  const { page, errors } = await open(login);
  // The token moved from the address bar into this tab's storage.
  assert.ok(!page.url().includes('token'), page.url());
  await page.locator('[data-arch=lambda]').click();
  await page.locator('#f-lambda-memory_mb').waitFor();
  const deploy = page.getByTestId('deploy');
  await deploy.scrollIntoViewIfNeeded();
  // The panel comes when its card comes near, then asks the server where deploys go.
  await page.getByTestId('deploy-target').filter({ hasNotText: 'Asking' }).waitFor();
  assert.match(await page.getByTestId('deploy-target').innerText(), /Local sandbox \(moto\) at http:\/\/127\.0\.0\.1:\d+/);
  assert.equal(await page.getByTestId('stack-name').inputValue(), 'shop-lambda');

  await watchStatusRegions(page);
  const clicked = Date.now();
  await page.getByTestId('deploy-button').focus();
  await page.keyboard.press('Enter');
  // Busy, Deploy is disabled, which drops the browser's focus: it goes to the progress (or the
  // panel's heading until the progress shows), not to the page's body.
  await page.waitForFunction(() => document.activeElement?.dataset.testid === 'deploy-progress' || document.activeElement?.id === 'deploy-title');
  await page.getByTestId('deploy-status').filter({ hasText: 'CREATE_COMPLETE' }).waitFor({ timeout: 60000 });
  // A figure, not a limit (the sandbox's pace is PACE_MS a step).
  console.log(`the Lambda example: click to CREATE_COMPLETE in ${((Date.now() - clicked) / 1000).toFixed(1)} s`);
  assert.equal(await page.getByTestId('deploy-progress').getAttribute('aria-valuenow'), '100');
  assert.match(await page.getByTestId('progress-text').innerText(), /(\d+) of \1 resources · 100%/);
  // A new stack is created at once (no change set: on AWS the stack a CREATE change set
  // makes carries no tags until it runs, and the deployer role acts only on tagged stacks).
  assert.equal(await page.getByTestId('change-count').count(), 0);
  await page.getByTestId('deploy-outputs').waitFor();
  assert.match(await page.getByTestId('deploy-outputs').innerText(), /Outputs/);
  const events = await page.locator('[data-testid=deploy-events] tbody tr').allInnerTexts();
  assert.ok(events.some((e) => /CREATE_COMPLETE/.test(e)), events.join('\n'));
  await deploy.screenshot({ path: path.join(artifacts, 'deploy.png') });
  // The finished deploy (progress, outputs, events) breaks no WCAG rule axe checks, and what
  // it said went through regions that were there before.
  assert.deepEqual(await accessibilityViolations(page), []);
  assert.match(await page.getByTestId('deploy-spoken').textContent(), /^shop-lambda CREATE_COMPLETE$/);

  // Another tab, which did not deploy the stack: the same plan has nothing to update, and the
  // stack is shown there as the server names it, with its outputs and Delete.
  const other = (await open(login)).page;
  await other.locator('[data-arch=lambda]').click();
  await other.getByTestId('deploy').scrollIntoViewIfNeeded();
  await other.getByTestId('deploy-target').filter({ hasNotText: 'Asking' }).waitFor();
  await other.getByTestId('deploy-button').click();
  await other.getByTestId('stack-exists').waitFor();
  assert.match(await other.getByTestId('stack-exists').innerText(), /^A stack named shop-lambda already exists in us-east-1 \(CREATE_COMPLETE\)\. Review its update to see what would change; nothing changes until you apply it\./);
  // Every label the Deploy button takes meanwhile: once told there is nothing to update, this
  // tab shows the stack; it deploys nothing.
  await other.evaluate(() => {
    const button = document.querySelector('[data-testid=deploy-button]');
    window.deployLabels = [button.textContent];
    new MutationObserver(() => window.deployLabels.push(button.textContent))
      .observe(button, { childList: true, characterData: true, subtree: true });
  });
  await other.getByTestId('review-update').click();
  await other.getByTestId('deploy-status').filter({ hasText: 'CREATE_COMPLETE' }).waitFor({ timeout: 30000 });
  await other.getByTestId('deploy-notice').filter({ hasText: /^shop-lambda already matches this plan: there is nothing to update\.$/ }).waitFor();
  await other.getByTestId('deploy-outputs').waitFor();
  await other.getByTestId('delete-stack').waitFor();
  const labels = [...new Set(await other.evaluate(() => window.deployLabels))];
  // (Deploying… while the update's change set is asked for: that is this tab's request.)
  assert.deepEqual(labels, ['Deploy', 'Deploying…', 'Showing the stack…']);
  await other.close();

  // The user's own code: a zip uploaded from the page goes to the stack's code bucket, and the
  // update that runs it is reviewed and applied; moto's Lambda API then reports its digest.
  const zipPath = path.join(artifacts, 'function.zip');
  await makeZip(zipPath, 'app.py', 'def handler(event, context):\n    return {"statusCode": 200, "body": "mine"}\n');
  const expected = createHash('sha256').update(await readFile(zipPath)).digest('base64');
  const wrongPath = path.join(artifacts, 'wrong.zip');
  await makeZip(wrongPath, 'main.py', 'x = 1\n');
  assert.match(await page.getByTestId('code-upload').innerText(), /The function runs a placeholder until its code is uploaded/);
  await page.getByTestId('code-file').setInputFiles(wrongPath);
  await page.getByTestId('upload-code').click();
  const codeError = await page.getByTestId('code-error').innerText();
  assert.match(codeError, /code: the zip has no app\.py at its top level/);
  assert.equal(codeError.split('has no app.py').length, 2, `said once: ${codeError}`);
  await page.getByTestId('code-file').setInputFiles(zipPath);
  await page.getByTestId('upload-code').click();
  await page.getByTestId('confirm-update').waitFor({ timeout: 30000 });
  assert.match(await page.getByTestId('parameter-CodeS3Key').inputValue(), /^stackplan-code\/[0-9a-f]{64}\.zip$/);
  await page.getByTestId('apply-update').click();
  // The button leaves with its question; the focus goes to the progress it started.
  await page.waitForFunction(() => document.activeElement?.dataset.testid === 'deploy-progress');
  await page.getByTestId('deploy-status').filter({ hasText: 'UPDATE_COMPLETE' }).waitFor({ timeout: 60000 });
  assert.equal(await page.evaluate(() => document.activeElement?.dataset.testid), 'deploy-progress');
  const fn = (await motoTool('inventory')).functions[0];
  assert.deepEqual([fn.code_sha256, fn.handler], [expected, 'app.handler']);
  // The page no longer says it runs a placeholder; and after a reload, which follows the
  // stack again, the upload is there, named by the plan the stack records.
  await page.getByTestId('code-upload').filter({ hasText: 'The function runs your code.' }).waitFor();
  // (The live regions watched so far, before the reload takes the watch away.)
  assert.deepEqual(await insertedStatusRegions(page), []);
  await page.reload();
  await page.getByTestId('deploy').scrollIntoViewIfNeeded();
  await page.getByTestId('code-upload').filter({ hasText: 'The function runs your code. To replace it, upload a zip holding the module of its handler, app.handler' }).waitFor({ timeout: 30000 });
  await watchStatusRegions(page);
  // New code, in the reloaded tab (which sent no request of its own): reviewed as an update
  // of the plan the stack records, with the code the only change. An edit of the planner's
  // plan meanwhile is not part of it, and leaves the review standing.
  const againPath = path.join(artifacts, 'function-again.zip');
  await makeZip(againPath, 'app.py', 'def handler(event, context):\n    return {"statusCode": 200, "body": "mine, again"}\n');
  const again = createHash('sha256').update(await readFile(againPath)).digest('base64');
  await page.getByTestId('code-file').setInputFiles(againPath);
  await page.getByTestId('upload-code').click();
  await page.getByTestId('confirm-update').waitFor({ timeout: 30000 });
  assert.match(await page.getByTestId('change-count').innerText(), /^Change set: 1 change$/);
  await page.locator('#f-lambda-memory_mb').fill('640');
  await page.waitForTimeout(300);
  assert.equal(await page.getByTestId('confirm-update').count(), 1);
  await page.getByTestId('apply-update').click();
  await page.getByTestId('deploy-status').filter({ hasText: 'UPDATE_COMPLETE' }).waitFor({ timeout: 60000 });
  assert.equal((await motoTool('inventory')).functions[0].code_sha256, again);

  // Deploying the stack again with more memory offers an update, which shows its changes first.
  // An edit while the offer stands takes the offer away: "Review the update" would have asked
  // with the request that found the stack, not with what the form now shows.
  await page.locator('#f-lambda-memory_mb').fill('768');
  await page.getByTestId('deploy-button').click();
  await page.getByTestId('stack-exists').waitFor();
  await page.locator('#f-lambda-memory_mb').fill('1024');
  await page.getByTestId('stack-exists').waitFor({ state: 'detached' });
  assert.match(await page.getByTestId('deploy-notice').innerText(), /^The plan changed: click Deploy again/);
  // So does an edit made while the request that finds the stack is on its way (held here until
  // the edit is made): the offer is withdrawn as it comes.
  let release;
  const held = new Promise((resolve) => { release = resolve; });
  await page.route('**/api/deployments', async (route) => { await held; await route.continue(); }, { times: 1 });
  await page.getByTestId('deploy-button').click();
  await page.locator('#f-lambda-memory_mb').fill('896');
  release();
  await page.getByTestId('deploy-notice').filter({ hasText: 'A stack of that name exists, and the plan changed meanwhile' }).waitFor();
  assert.equal(await page.getByTestId('stack-exists').count(), 0);
  await page.getByTestId('deploy-button').click();
  await page.getByTestId('stack-exists').waitFor();
  await page.getByTestId('review-update').focus();
  await page.keyboard.press('Enter');
  await page.getByTestId('confirm-update').waitFor();
  // The question takes the focus, on Cancel, as the others do; it is named by its question.
  await page.waitForFunction(() => document.activeElement?.dataset.testid === 'cancel-update');
  assert.equal(await page.getByRole('alertdialog', { name: /^Updating shop-lambda changes \d+ resources?,/ }).count(), 1);
  assert.deepEqual(await accessibilityViolations(page), []);
  // The cost of the change, read against the plan the stack's template records.
  assert.match(await page.getByTestId('update-cost').innerText(), /Monthly cost: \$[\d,.]+\+? → \$[\d,.]+\+? \(\+\$[\d,.]+ a month\)[\s\S]*Lambda: Duration/);
  // Escape cancels it, as it does the panel's other questions: nothing is applied.
  await page.keyboard.press('Escape');
  await page.getByTestId('confirm-update').waitFor({ state: 'detached' });
  // An edit while the update is under review takes the review away: its change set holds the
  // plan as it was, and Apply would deploy that, not what the page shows.
  await page.getByTestId('deploy-button').click();
  await page.getByTestId('stack-exists').waitFor();
  await page.getByTestId('review-update').click();
  await page.getByTestId('confirm-update').waitFor();
  await page.locator('#f-lambda-memory_mb').fill('960');
  await page.getByTestId('confirm-update').waitFor({ state: 'detached' });
  assert.equal(await page.getByTestId('change-count').count(), 0);
  assert.equal(await page.getByTestId('deploy-notice').innerText(), 'The plan changed: click Deploy again to review the update with it.');
  await page.locator('#f-lambda-memory_mb').fill('896');
  await page.getByTestId('deploy-button').click();
  await page.getByTestId('stack-exists').waitFor();
  await page.getByTestId('review-update').click();
  await page.getByTestId('confirm-update').waitFor();
  await page.getByTestId('apply-update').click();
  await page.getByTestId('deploy-status').filter({ hasText: 'UPDATE_COMPLETE' }).waitFor({ timeout: 60000 });
  // The deployed plan stays available from the stack as a share link.
  assert.match(await page.getByTestId('deployed-plan-link').getAttribute('href'), /#plan=1\.[\w-]+$/);
  // The link opens the plan over later edits, and again after the first click left the address
  // at that plan (the page's edits do not change its address).
  const entries = await page.evaluate(() => history.length);
  for (const edit of ['640', '512']) {
    await page.locator('#f-lambda-memory_mb').fill(edit);
    await page.getByTestId('deployed-plan-link').click();
    await page.waitForFunction(() => document.querySelector('#f-lambda-memory_mb').value === '896');
  }
  // No history entry: Back cannot reopen that plan over later edits.
  assert.equal(await page.evaluate(() => history.length), entries);
  // Through the deploy, the upload, the offers, notices and updates, no live region came
  // already holding its text.
  assert.deepEqual(await insertedStatusRegions(page), []);
  // The deployed plan again: the stack matches it. That is said as a notice, not an error.
  await page.getByTestId('deploy-button').click();
  await page.getByTestId('stack-exists').waitFor();
  await page.getByTestId('review-update').click();
  await page.getByTestId('deploy-notice').filter({ hasText: /^shop-lambda already matches this plan: there is nothing to update\.$/ }).waitFor({ timeout: 30000 });
  assert.equal(await page.getByTestId('deploy-error').count(), 0);

  // A table taken out of the plan: the review says, before anything happens, that the stack
  // lets it go and the account keeps it (its deletion policy, read from the deployed
  // template); once applied, the update names it as left in the account.
  await page.locator('[data-remove=tables]').first().click();
  await page.getByTestId('deploy-button').click();
  await page.getByTestId('stack-exists').waitFor();
  await page.getByTestId('review-update').click();
  const removal = page.getByTestId('update-replaces');
  await removal.waitFor();
  assert.match(await removal.innerText(),
    /^This update takes resources that hold data out of the stack \(the plan no longer has them\): (\w+) \(AWS::DynamoDB::Table\): it is kept, outside the stack, and billed until you delete it\.$/);
  const removedId = (await removal.innerText()).match(/: (\w+) \(AWS::DynamoDB::Table\)/)[1];
  assert.equal(await page.locator('details.changes').evaluate((d) => d.open), true, 'the change list opens with a removal');
  await page.getByTestId('apply-update').click();
  await page.getByTestId('deploy-status').filter({ hasText: 'UPDATE_COMPLETE' }).waitFor({ timeout: 60000 });
  const keptByUpdate = await page.getByTestId('left-behind').locator('li').allInnerTexts();
  assert.equal(keptByUpdate.length, 1, keptByUpdate.join('\n'));
  assert.match(keptByUpdate[0], new RegExp(`^\\S+ \\(${removedId}, AWS::DynamoDB::Table\\): kept by its deletion policy$`));
  assert.ok((await motoTool('inventory')).tables.includes(keptByUpdate[0].split(' ')[0]));
  await page.getByTestId('left-behind').screenshot({ path: path.join(artifacts, 'deploy-left-behind.png') });

  await page.getByTestId('delete-stack').click();
  await page.getByTestId('confirm-delete').click();
  await page.waitForFunction(() => document.activeElement?.dataset.testid === 'deploy-progress');
  // It is the deletion's progress, and called so.
  assert.equal(await page.getByTestId('deploy-progress').getAttribute('aria-label'), 'Deletion progress');
  await page.getByTestId('deploy-status').filter({ hasText: 'DELETE_COMPLETE' }).waitFor({ timeout: 60000 });
  // The bar is the same from the step's start to its result: the focus is still on it, not
  // dropped to the page's body (a keyboard user would start again from the top).
  assert.equal(await page.evaluate(() => document.activeElement?.dataset.testid), 'deploy-progress');
  // The events shown are the deletion's, not the deploy's before it.
  const afterDelete = await page.locator('[data-testid=deploy-events] tbody tr').allInnerTexts();
  assert.ok(!afterDelete.some((r) => /CREATE_|UPDATE_/.test(r)), afterDelete.join('\n'));
  // What the delete kept is named as the account knows it, from the delete's own events: the
  // buckets and the table, by their names in the sandbox.
  const left = await page.getByTestId('left-behind').locator('li').allInnerTexts();
  const inventory = await motoTool('inventory');
  assert.ok(left.some((l) => /\(CodeBucket, AWS::S3::Bucket\): kept by its deletion policy$/.test(l)), left.join('\n'));
  assert.ok(left.some((l) => /AWS::DynamoDB::Table\): kept by its deletion policy$/.test(l)), left.join('\n'));
  for (const l of left) assert.match(l, /^\S+ \(\w+, AWS::[\w:]+\): kept by its deletion policy$/);
  // Each name is the one the account has, still there.
  for (const l of left) {
    const name = l.split(' ')[0];
    if (/AWS::S3::Bucket/.test(l)) assert.ok(inventory.buckets.includes(name), `${name} in ${inventory.buckets}`);
    if (/AWS::DynamoDB::Table/.test(l)) assert.ok(inventory.tables.includes(name), `${name} in ${inventory.tables}`);
  }
  assert.ok(!left.join('\n').includes('123456789012'), 'no account id');
  assert.deepEqual(await accessibilityViolations(page), []);
  // The 409 "stack exists" answer and the 422 for the wrong zip are logged by Chromium as failed
  // resource loads; nothing else may be.
  assert.deepEqual(errors.filter((e) => !/status of (409|422)/.test(e)), []);
});

test('a deploy whose event stream is lost for good can be followed again: Reconnect', async () => {
  const { page, errors } = await open(login);
  // The panel pauses longer after each failed connection (about half a minute for the twelve
  // it tries); the page's clock is jumped through those pauses.
  await page.clock.install();
  await page.locator('[data-arch=lambda]').click();
  const deploy = page.getByTestId('deploy');
  await deploy.scrollIntoViewIfNeeded();
  await page.getByTestId('deploy-target').filter({ hasNotText: 'Asking' }).waitFor();
  await page.getByTestId('stack-name').fill('lost-lambda');
  // The server is there, but no event stream reaches the page.
  const streams = '**/api/deployments/*/events';
  let refused = 0;
  await page.route(streams, (route) => { refused += 1; return route.abort('connectionfailed'); });
  await page.getByTestId('deploy-button').click();
  const reconnect = page.getByTestId('reconnect');
  for (let i = 0; i < 60 && !(await reconnect.isVisible()); i++) {
    await page.clock.fastForward(2000);
    await page.waitForTimeout(50);
  }
  assert.equal(refused, 12, 'twelve connections in a row, then the panel stops');
  assert.match(await page.getByTestId('deploy-error').innerText(), /Lost the deploy's event stream[\s\S]*carries on in CloudFormation/);
  // The stack went on meanwhile; Reconnect follows it to its end.
  await page.unroute(streams);
  await reconnect.click();
  assert.equal(await page.getByTestId('deploy-error').count(), 0);
  await page.getByTestId('deploy-status').filter({ hasText: 'CREATE_COMPLETE' }).waitFor({ timeout: 60000 });
  const rows = await page.locator('[data-testid=deploy-events] tbody tr').allInnerTexts();
  assert.ok(rows.some((r) => /CREATE_COMPLETE/.test(r)), rows.join('\n'));
  assert.equal(new Set(rows).size, rows.length, `each event once:\n${rows.join('\n')}`);
  // The delete question takes the focus (on Cancel); Escape cancels and gives it back.
  await page.getByTestId('delete-stack').click();
  assert.equal(await page.evaluate(() => document.activeElement.dataset.testid), 'cancel-delete');
  // The question says what the delete leaves in the account, read from the deployed template.
  assert.match(await page.getByTestId('delete-keeps').innerText(),
    /^Left in the account, and billed until you delete them yourself: kept: .*AWS::DynamoDB::Table.*CodeBucket \(AWS::S3::Bucket\)/);
  // Read with the question on the focused Cancel: it describes the dialog.
  assert.match(await page.getByTestId('delete-confirm').evaluate(described), /^Left in the account/);
  assert.deepEqual(await accessibilityViolations(page), []);
  await page.keyboard.press('Escape');
  await page.getByTestId('delete-confirm').waitFor({ state: 'detached' });
  assert.equal(await page.evaluate(() => document.activeElement.dataset.testid), 'delete-stack');
  await page.getByTestId('delete-stack').click();
  await page.getByTestId('confirm-delete').click();
  await page.getByTestId('deploy-status').filter({ hasText: 'DELETE_COMPLETE' }).waitFor({ timeout: 60000 });
  assert.deepEqual(errors.filter((e) => !/ERR_CONNECTION_FAILED|ERR_FAILED/.test(e)), []);
});

test('a token the server stops taking while a deploy is followed is asked for again, and the stack is followed again with the next one', async () => {
  const { page, errors } = await open(login);
  await page.locator('[data-arch=lambda]').click();
  await page.getByTestId('deploy').scrollIntoViewIfNeeded();
  await page.getByTestId('deploy-target').filter({ hasNotText: 'Asking' }).waitFor();
  await page.getByTestId('stack-name').fill('relogin-lambda');
  // The server stops taking the tab's token (as after a restart with a new one): the event
  // stream's requests carry another, which the server refuses with its 401.
  const streams = '**/api/deployments/*/events';
  await page.route(streams, (route) => route.continue({ headers: { ...route.request().headers(), authorization: 'Bearer not-the-token' } }));
  await page.getByTestId('deploy-button').click();
  await page.getByTestId('deploy-token').waitFor({ timeout: 30000 });
  assert.match(await page.getByTestId('deploy-error').innerText(),
    /^Lost the deploy's event stream: .*not valid.*The stack carries on in CloudFormation\. Give the token again above: the panel then follows the stack again\.$/s);
  // Reconnecting without a token would be refused again: the panel asks for the token instead.
  assert.equal(await page.getByTestId('reconnect').count(), 0);
  assert.equal(await page.evaluate(() => sessionStorage.getItem('stackplan-token')), '');
  await page.unroute(streams);
  await page.getByTestId('deploy-token').fill(login.split('#token=')[1]);
  await page.getByTestId('deploy-token').press('Enter');
  await page.getByTestId('deploy-status').filter({ hasText: 'CREATE_COMPLETE' }).waitFor({ timeout: 60000 });
  const rows = await page.locator('[data-testid=deploy-events] tbody tr').allInnerTexts();
  assert.equal(new Set(rows).size, rows.length, `each event once:\n${rows.join('\n')}`);
  await page.getByTestId('delete-stack').click();
  await page.getByTestId('confirm-delete').click();
  await page.getByTestId('deploy-status').filter({ hasText: 'DELETE_COMPLETE' }).waitFor({ timeout: 60000 });
  assert.deepEqual(errors.filter((e) => !/status of 401/.test(e)), []);
});

test('a secret the account lacks is refused at its variable before anything is made; a key its JSON lacks is named when the stack fails', async () => {
  const { page, errors } = await open(login);
  await page.locator('[data-arch=lambda]').click();
  await page.getByRole('button', { name: 'Add variable' }).click();
  await page.getByLabel('Variable 1 name').fill('STRIPE_KEY');
  await page.getByLabel('Variable 1 name').press('Tab');
  await page.getByLabel('Variable 1 source').selectOption('secret');
  await page.getByLabel('Variable 1 value').fill('stackplan/shop/not-there');
  await page.getByLabel('Variable 1 value').press('Tab');
  await page.getByTestId('deploy').scrollIntoViewIfNeeded();
  await page.getByTestId('deploy-target').filter({ hasNotText: 'Asking' }).waitFor();
  await page.getByTestId('stack-name').fill('secretless-lambda');
  await page.getByTestId('deploy-button').click();
  // Looked up before the deploy: refused at the variable, with the way to make it, and no
  // stack was started.
  const problems = page.getByTestId('deploy-plan-problems');
  await problems.waitFor();
  assert.match(await problems.innerText(),
    /^environment\[0\]\.secret: Secrets Manager has no secret stackplan\/shop\/not-there in us-east-1: create it there \(`aws secretsmanager create-secret --region us-east-1/);
  assert.equal(await page.getByTestId('deploy-status').count(), 0);
  await problems.getByRole('link').click();
  await page.waitForFunction(() => document.activeElement?.getAttribute('aria-label') === 'Variable 1 value');

  // A secret that is there, but whose JSON lacks the key the variable reads: only reading its
  // value can tell, which the deploy never does, so the stack fails and the hint names it.
  await motoTool('secret', 'stackplan/shop/keyless', '{"other": "x"}');
  await page.getByLabel('Variable 1 value').fill('stackplan/shop/keyless');
  await page.getByLabel('Variable 1 JSON key').fill('live');
  await page.getByLabel('Variable 1 JSON key').press('Tab');
  await page.getByTestId('deploy').scrollIntoViewIfNeeded();
  await page.getByTestId('deploy-button').click();
  await page.getByTestId('deploy-status').filter({ hasText: 'ROLLBACK_COMPLETE' }).waitFor({ timeout: 60000 });
  assert.match(await page.getByTestId('deploy-failure').innerText(), /Function \(AWS::Lambda::Function\) failed:\s+Could not find a value associated with JSONKey/);
  assert.equal(
    await page.getByTestId('failure-hint').innerText(),
    'The plan\'s variables that read a key of a secret\'s JSON: STRIPE_KEY (key live of stackplan/shop/keyless). Each secret\'s value must be a JSON object holding that key: add the key to the secret, or change the variable\'s JSON key.',
  );
  await page.getByTestId('delete-stack').click();
  await page.getByTestId('confirm-delete').click();
  await page.getByTestId('deploy-status').filter({ hasText: 'DELETE_COMPLETE' }).waitFor({ timeout: 60000 });
  assert.deepEqual(errors.filter((e) => !/status of 422/.test(e)), []);
});

test('a reload while a deploy goes on follows it again and shows how it ended; a deleted stack is forgotten', async () => {
  const { page, errors } = await open(login);
  await page.locator('[data-arch=lambda]').click();
  await page.getByTestId('deploy').scrollIntoViewIfNeeded();
  await page.getByTestId('stack-name').fill('shop-reload');
  await page.getByTestId('deploy-button').click();
  await page.locator('[data-testid=deploy-events] tbody tr').first().waitFor();
  await page.reload();
  await page.getByTestId('monthly-total').waitFor();
  await page.getByTestId('deploy').scrollIntoViewIfNeeded();
  // Followed again: the operation's events from its start, then how it ended, with outputs.
  await page.getByTestId('deploy-status').filter({ hasText: 'shop-reload CREATE_COMPLETE' }).waitFor({ timeout: 60000 });
  await page.getByTestId('deploy-outputs').waitFor();
  const rows = await page.locator('[data-testid=deploy-events] tbody tr').allInnerTexts();
  assert.ok(rows.some((r) => /\tshop-reload\tCREATE_IN_PROGRESS/.test(r)), rows.join('\n'));
  assert.ok(rows.some((r) => /\tFunction\tCREATE_COMPLETE/.test(r)), rows.join('\n'));
  // Reloaded again once it ended: the result, not the form's first state.
  await page.reload();
  await page.getByTestId('deploy').scrollIntoViewIfNeeded();
  await page.getByTestId('deploy-status').filter({ hasText: 'shop-reload CREATE_COMPLETE' }).waitFor({ timeout: 30000 });
  // Deleted, it is forgotten: the next reload shows the form.
  await page.getByTestId('delete-stack').click();
  await page.getByTestId('confirm-delete').click();
  await page.getByTestId('deploy-status').filter({ hasText: 'DELETE_COMPLETE' }).waitFor({ timeout: 60000 });
  assert.equal(await page.evaluate(() => sessionStorage.getItem('stackplan-following')), null);
  await page.reload();
  await page.getByTestId('deploy').scrollIntoViewIfNeeded();
  await page.getByTestId('deploy-button').waitFor();
  assert.equal(await page.getByTestId('deploy-status').count(), 0);
  assert.deepEqual(errors, []);
});

test('a stack of this token\'s that another tab is creating is followed to its end, then can be deleted', async () => {
  const a = await open(login);
  const b = await open(login);
  for (const { page } of [a, b]) {
    await page.locator('[data-arch=lambda]').click();
    await page.getByTestId('deploy').scrollIntoViewIfNeeded();
    await page.getByTestId('stack-name').fill('shop-other-tab');
  }
  // The other tab's plan differs, so its request is not a retry of the first one's.
  await b.page.locator('#f-lambda-memory_mb').fill('1024');
  await a.page.getByTestId('deploy-button').click();
  await a.page.locator('[data-testid=deploy-events] tbody tr').first().waitFor();
  await b.page.getByTestId('deploy-button').click();
  // Told why it cannot deploy now, and shown the stack going on, to its end, with Delete:
  // no need for the AWS console to follow or remove it.
  await b.page.getByText('the stack shop-other-tab is busy (CREATE_IN_PROGRESS); wait until it settles').waitFor();
  await b.page.getByTestId('deploy-status').filter({ hasText: 'shop-other-tab CREATE_COMPLETE' }).waitFor({ timeout: 60000 });
  // Settled, the wait is over: what to do next replaces it.
  assert.equal(await b.page.getByTestId('deploy-error').count(), 0);
  assert.equal(await b.page.getByTestId('deploy-notice').innerText(), 'shop-other-tab has settled (CREATE_COMPLETE): click Deploy again to deploy this plan to it.');
  const rows = await b.page.locator('[data-testid=deploy-events] tbody tr').allInnerTexts();
  assert.ok(rows.some((r) => /\tFunction\tCREATE_COMPLETE/.test(r)), rows.join('\n'));
  await b.page.getByTestId('delete-stack').click();
  await b.page.getByTestId('confirm-delete').click();
  await b.page.getByTestId('deploy-status').filter({ hasText: 'DELETE_COMPLETE' }).waitFor({ timeout: 60000 });
  // The 409 "stack busy" answer is logged by Chromium as a failed load; nothing else.
  assert.deepEqual([...a.errors, ...b.errors].filter((e) => !/status of 409/.test(e)), []);
});

test('Deploy builds the default Fargate plan in the sandbox resource by resource, shows the load balancer URL, then deletes it', async () => {
  const { page, errors } = await open(login);
  const deploy = page.getByTestId('deploy');
  await deploy.scrollIntoViewIfNeeded();
  assert.equal(await page.getByTestId('stack-name').inputValue(), 'shop-fargate');
  await watchStatusRegions(page);
  const clicked = Date.now();
  await page.getByTestId('deploy-button').click();

  // Sample the progress bar while the stack builds: it must pass values between 0 and 100.
  const percents = new Set();
  const status = page.getByTestId('deploy-status');
  for (let i = 0; i < 1200 && !(await status.filter({ hasText: 'CREATE_COMPLETE' }).count()); i++) {
    const bar = page.getByTestId('deploy-progress');
    if (await bar.count()) percents.add(Number(await bar.getAttribute('aria-valuenow')));
    await page.waitForTimeout(50);
  }
  await status.filter({ hasText: 'CREATE_COMPLETE' }).waitFor({ timeout: 60000 });
  // A figure, not a limit (the sandbox's pace is PACE_MS a step).
  console.log(`the Fargate example: click to CREATE_COMPLETE in ${((Date.now() - clicked) / 1000).toFixed(1)} s`);
  const between = [...percents].filter((p) => p > 0 && p < 100);
  assert.ok(between.length > 0, `the progress bar showed only ${[...percents].join(', ')}`);
  assert.equal(await page.getByTestId('deploy-progress').getAttribute('aria-valuenow'), '100');
  assert.match(await page.getByTestId('progress-text').innerText(), /55 of 55 resources · 100%/);

  // Every resource has its own events, with its type.
  const rows = await page.locator('[data-testid=deploy-events] tbody tr').allInnerTexts();
  const completed = new Set(rows.filter((r) => /\tCREATE_COMPLETE/.test(r)).map((r) => r.split('\t')[1]));
  assert.ok(completed.delete('shop-fargate'), 'the stack itself completes');
  for (const id of ['Vpc', 'NatGatewayA', 'LoadBalancer', 'Database', 'Cache', 'Service', 'ScalableTarget', 'CpuAlarm']) {
    assert.ok(completed.has(id), `${id} has no CREATE_COMPLETE event:\n${rows.join('\n')}`);
  }
  assert.equal(completed.size, 55, rows.join('\n'));

  // The outputs: the service's URL at the load balancer, the database and the cache.
  const outputs = await page.getByTestId('deploy-outputs').innerText();
  assert.match(outputs, /ServiceUrl\s+http:\/\/[\w.-]+\.elb\.amazonaws\.com/);
  assert.match(outputs, /DatabaseSecretArn\s+arn:aws:secretsmanager:us-east-1:\d{12}:secret:rds!db-/);
  assert.match(outputs, /CacheEndpoint\s+\S+/);
  // Each with what the template says it is.
  assert.match(outputs, /RepositoryUri\s+\S+\s+Push images here/);
  // The panel is taller than the default viewport, and its column is sticky: make room first.
  await page.setViewportSize({ width: 1400, height: 1400 });
  await deploy.screenshot({ path: path.join(artifacts, 'deploy-fargate.png') });
  await page.setViewportSize({ width: 1400, height: 1000 });

  // The stack's own repository was empty: the service waits with no task, and the panel says
  // how to push the image, then watches the repository for it.
  const wait = page.getByTestId('image-wait');
  await wait.waitFor();
  const commands = await page.getByTestId('push-commands').innerText();
  const uri = outputs.match(/RepositoryUri\s+(\S+)/)[1];
  assert.match(commands, new RegExp(`^aws ecr get-login-password --region us-east-1 \\| docker login --username AWS --password-stdin ${uri.split('/')[0].replace(/\./g, '\\.')}$`, 'm'));
  assert.match(commands, /^docker build --platform linux\/amd64 -t [\w.-]+:1\.0\.0 \.$/m);
  assert.ok(commands.includes(`docker push ${uri}:1.0.0`), commands);
  await page.getByTestId('image-state').filter({ hasText: 'Not pushed yet' }).waitFor();
  assert.equal(await page.getByTestId('start-service').isDisabled(), true);
  assert.equal((await motoTool('inventory')).ecs_services[0].desired_count, 0);
  await wait.screenshot({ path: path.join(artifacts, 'image-wait.png') });
  // The sandbox has no registry: its command records the image instead (run here through
  // boto3, with the repository and manifest the page shows).
  const sandboxCommand = await page.getByTestId('sandbox-push-command').innerText();
  const [, repository, tag, manifest] = sandboxCommand.match(/--repository-name (\S+) --image-tag (\S+) --image-manifest '(.+)'$/);
  assert.equal(`${uri.split('/')[0]}/${repository}`, uri);
  await motoTool('put-image', repository, tag, manifest);
  await page.getByTestId('image-state').filter({ hasText: 'The image is in the repository.' }).waitFor({ timeout: 20000 });
  // Reloaded meanwhile (pushing an image takes minutes): the panel follows the stack again,
  // and Start still starts it, with the plan its stack records and the tag it waits for.
  await page.reload();
  await page.getByTestId('monthly-total').waitFor();
  await watchStatusRegions(page);
  await page.getByTestId('deploy').scrollIntoViewIfNeeded();
  await page.getByTestId('image-state').filter({ hasText: 'The image is in the repository.' }).waitFor({ timeout: 30000 });
  // "Start the service": an update whose change set starts it at the planned count.
  await page.getByTestId('start-service').click();
  await page.getByTestId('confirm-update').waitFor();
  const changes = (await page.locator('.changes li').allTextContents()).map((c) => c.replace(/\s+/g, ' ').trim()).sort();
  assert.deepEqual(changes, [
    'Modify ScalableTarget AWS::ApplicationAutoScaling::ScalableTarget',
    'Modify Service AWS::ECS::Service',
  ]);
  // The plan is the same, but the service ran no task while it waited: its tasks are billed
  // from now on, which "+$0.00 a month" would hide.
  assert.match(await page.getByTestId('update-cost').innerText(),
    /^Starting the service bills its tasks from now on: it ran none while it waited for its image\. The plan's monthly cost, \$[\d,.]+\+?, counts them\.$/);
  await page.getByTestId('apply-update').click();
  // Its progress counts the two changes it makes, not the template's 55 resources.
  const counted = new Set();
  for (let i = 0; i < 1200 && !(await status.filter({ hasText: 'UPDATE_COMPLETE' }).count()); i++) {
    const text = page.getByTestId('progress-text');
    if (await text.count()) counted.add((await text.innerText()).replace(/ · .*/, ''));
    await page.waitForTimeout(50);
  }
  await status.filter({ hasText: 'UPDATE_COMPLETE' }).waitFor({ timeout: 60000 });
  assert.match(await page.getByTestId('progress-text').innerText(), /^2 of 2 changes · 100%$/);
  assert.ok([...counted].every((c) => /^[0-2] of 2 changes$/.test(c)), [...counted].join(', '));
  assert.equal(await page.getByTestId('image-wait').count(), 0);
  const started = await motoTool('inventory');
  assert.equal(started.ecs_services[0].desired_count, 2, JSON.stringify(started.ecs_services));
  assert.deepEqual([started.scalable_targets[0].min, started.scalable_targets[0].max], [2, 10]);

  // A bigger task: the update's review shows what it costs before anything changes. Twice the
  // vCPU (0.5 → 1) and memory (1 → 2 GB) on 2 tasks: +$29.55 vCPU and +$6.49 memory a month.
  await page.locator('#f-fargate-vcpu').selectOption('1');
  await page.getByTestId('deploy-button').click();
  await page.getByTestId('stack-exists').waitFor();
  await page.getByTestId('review-update').click();
  const cost = page.getByTestId('update-cost');
  await cost.waitFor();
  const text = await cost.innerText();
  assert.match(text, /\(\+\$36\.04 a month\)/, text);
  assert.match(text, /Fargate: x86 vCPU \(on-demand\)\s+\$29\.55\s+\$59\.10\s+\+\$29\.55/, text);
  await cost.screenshot({ path: path.join(artifacts, 'update-cost.png') });
  await page.getByTestId('apply-update').click();
  await status.filter({ hasText: 'UPDATE_COMPLETE' }).waitFor({ timeout: 60000 });

  await page.getByTestId('delete-stack').click();
  await page.getByTestId('confirm-delete').click();
  await status.filter({ hasText: 'DELETE_COMPLETE' }).waitFor({ timeout: 60000 });
  const after = await page.locator('[data-testid=deploy-events] tbody tr').allInnerTexts();
  assert.ok(after.some((r) => /\tService\tDELETE_COMPLETE/.test(r)), after.join('\n'));
  // Through the image wait, the update and the delete, no live region came holding its text;
  // the deletion is said with what it left.
  assert.deepEqual(await insertedStatusRegions(page), []);
  assert.match(await page.getByTestId('deploy-spoken').textContent(), /^shop-fargate DELETE_COMPLETE; \d+ left in the account, listed below$/);
  // The 409 "stack exists" answer before the update is logged as a failed load; nothing else.
  assert.deepEqual(errors.filter((e) => !/status of 409/.test(e)), []);
});

test('only configured sites may frame the planner, and Deploy inside a frame asks first', async () => {
  const token = login.split('#token=')[1];
  // A site that is not an --embed-origin: the browser refuses to show the planner in its frame.
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  pages.push({ context });
  const foreign = await context.newPage();
  const refused = [];
  foreign.on('console', (m) => { if (/frame-ancestors/.test(m.text())) refused.push(m.text()); });
  const planner = `${server.url}?embed=1&host=${encodeURIComponent(foreignHost.origin)}`;
  await foreign.goto(`${foreignHost.origin}/?src=${encodeURIComponent(planner)}`);
  for (let i = 0; i < 100 && refused.length === 0; i++) await foreign.waitForTimeout(100);
  assert.ok(refused.length > 0, 'Chromium did not report the frame-ancestors refusal');
  assert.equal(await foreign.frameLocator('#planner').locator('[data-testid=monthly-total]').count(), 0);
  assert.deepEqual(await foreign.evaluate(() => window.received), []);

  // The configured site: the planner shows, its events reach the host, and Deploy asks inside
  // the frame before anything is created.
  const page = await context.newPage();
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  const src = `${server.url}?embed=1&host=${encodeURIComponent(allowedHost.origin)}#token=${token}`;
  await page.goto(`${allowedHost.origin}/?src=${encodeURIComponent(src)}`);
  const frame = page.frameLocator('#planner');
  await frame.getByTestId('monthly-total').waitFor();
  await page.waitForFunction(() => window.received.some((m) => m.source === 'stackplan' && m.type === 'ready'));
  // The deploy panel is loaded when its card comes near the view.
  await frame.getByTestId('deploy').scrollIntoViewIfNeeded();
  const deployButton = frame.getByTestId('deploy-button');
  await deployButton.scrollIntoViewIfNeeded();
  await deployButton.click();
  const confirm = frame.getByTestId('embedded-confirm');
  await confirm.waitFor();
  // The question has the focus, on Cancel; Escape cancels it and gives the focus back.
  const inner0 = page.frames().find((f) => f.url().startsWith(server.url));
  assert.equal(await inner0.evaluate(() => document.activeElement.dataset.testid), 'cancel-deploy');
  await page.keyboard.press('Escape');
  await confirm.waitFor({ state: 'detached' });
  assert.equal(await inner0.evaluate(() => document.activeElement.dataset.testid), 'deploy-button');
  await deployButton.click();
  await confirm.waitFor();
  assert.match(await confirm.innerText(), /inside another page\. Deploy \d+ resources to your account in us-east-1 as stack shop-fargate\?/);
  assert.equal(await frame.getByTestId('deploy-status').count(), 0, 'nothing was deployed before the confirmation');
  assert.equal(await frame.getByTestId('deploy-progress').count(), 0, 'nothing was deployed before the confirmation');
  await page.screenshot({ path: path.join(artifacts, 'embedded-deploy-confirm.png') });
  await frame.getByTestId('cancel-deploy').click();
  await confirm.waitFor({ state: 'detached' });
  assert.equal(await frame.getByTestId('deploy-status').count(), 0);

  // A share link made inside the frame says nothing of the console that framed it.
  await frame.getByTestId('share').click();
  const link = await frame.getByTestId('share-link').inputValue();
  assert.ok(link.startsWith(`${server.url}#plan=1.`), link);
  // The question is about what it shows: when the framing page opens another plan in the frame
  // (a link's fragment: no reload) while it is open, it goes, and nothing is deployed.
  // The share box follows a click on Share after the click returns: each link is read once it
  // is the new plan's (a stale read would make setting the fragment below no change at all).
  const inner = page.frames().find((f) => f.url().startsWith(server.url));
  const nextLink = async (before) => {
    await frame.getByTestId('share').click();
    await inner.waitForFunction((prev) => document.querySelector('[data-testid=share-link]').value !== prev, before);
    return frame.getByTestId('share-link').inputValue();
  };
  await frame.locator('#f-project').fill('cart');
  const other = await nextLink(link);
  await frame.locator('#f-project').fill('shop');
  // Share puts its link in the address bar, so the frame's address is the shop plan's again
  // (waited for: setting the cart plan's fragment must be a change the frame hears).
  const shop = await nextLink(other);
  await inner.waitForFunction((fragment) => location.hash === fragment, shop.slice(shop.indexOf('#')));
  await deployButton.click();
  await confirm.waitFor();
  await inner.evaluate((fragment) => { location.hash = fragment; }, other.slice(other.indexOf('#')));
  await confirm.waitFor({ state: 'detached' });
  assert.equal(await frame.locator('#f-project').inputValue(), 'cart');
  assert.match(await frame.getByTestId('deploy-notice').innerText(), /The plan changed while Deploy was waiting for a confirmation/);
  assert.equal(await frame.getByTestId('deploy-status').count(), 0);
  assert.ok(!(await page.evaluate(() => window.received.some((m) => m.type === 'deploy-started'))));
  assert.deepEqual(errors, []);

  // Framed without `embed=1` in its address (the framing page chooses the address), Deploy
  // still asks first.
  const bare = await context.newPage();
  await bare.goto(`${allowedHost.origin}/?src=${encodeURIComponent(`${server.url}#token=${token}`)}`);
  const bareFrame = bare.frameLocator('#planner');
  await bareFrame.getByTestId('monthly-total').waitFor();
  await bareFrame.getByTestId('deploy').scrollIntoViewIfNeeded();
  await bareFrame.getByTestId('deploy-button').scrollIntoViewIfNeeded();
  await bareFrame.getByTestId('deploy-button').click();
  await bareFrame.getByTestId('embedded-confirm').waitFor();
  assert.equal(await bareFrame.getByTestId('deploy-status').count(), 0);
  await bareFrame.getByTestId('cancel-deploy').click();
});

test('a host console hears a deploy and a deletion as what they are', async () => {
  const token = login.split('#token=')[1];
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  pages.push({ context });
  const page = await context.newPage();
  const src = `${server.url}?embed=1&host=${encodeURIComponent(allowedHost.origin)}#token=${token}`;
  await page.goto(`${allowedHost.origin}/?src=${encodeURIComponent(src)}`);
  const frame = page.frameLocator('#planner');
  await frame.getByTestId('monthly-total').waitFor();
  await frame.locator('[data-arch=lambda]').click();
  await frame.getByTestId('deploy').scrollIntoViewIfNeeded();
  await frame.getByTestId('stack-name').fill('hosted-lambda');
  await frame.getByTestId('deploy-button').click();
  await frame.getByTestId('confirm-deploy').click();
  await frame.getByTestId('deploy-status').filter({ hasText: 'CREATE_COMPLETE' }).waitFor({ timeout: 60000 });
  const stackEvents = () => page.evaluate(() => window.received
    .filter((m) => m.type.startsWith('deploy-') || m.type.startsWith('delete-'))
    .map((m) => [m.type, m.stack_name, m.status ?? null, m.succeeded ?? null]));
  await page.waitForFunction(() => window.received.some((m) => m.type === 'deploy-finished'));
  assert.deepEqual(await stackEvents(), [
    ['deploy-started', 'hosted-lambda', null, null],
    ['deploy-finished', 'hosted-lambda', 'CREATE_COMPLETE', true],
  ]);
  // The host page reloaded: the panel follows the deployment again and shows it settled, but
  // the host heard of it once already (a host that provisions on it must not do it twice).
  await page.reload();
  await frame.getByTestId('monthly-total').waitFor();
  await frame.getByTestId('deploy').scrollIntoViewIfNeeded();
  await frame.getByTestId('deploy-status').filter({ hasText: 'CREATE_COMPLETE' }).waitFor({ timeout: 60000 });
  await page.waitForTimeout(1500);
  assert.deepEqual(await stackEvents(), []);
  await frame.getByTestId('delete-stack').click();
  await frame.getByTestId('confirm-delete').click();
  await frame.getByTestId('deploy-status').filter({ hasText: 'DELETE_COMPLETE' }).waitFor({ timeout: 60000 });
  await page.waitForFunction(() => window.received.some((m) => m.type === 'delete-finished'));
  assert.deepEqual(await stackEvents(), [
    ['delete-finished', 'hosted-lambda', 'DELETE_COMPLETE', true],
  ]);
  const changed = await page.evaluate(() => window.received.filter((m) => m.type === 'plan-changed').at(-1));
  assert.equal(typeof changed.lower_bound, 'boolean');
});

test('a page used only to plan never downloads the deploy panel: it comes when its card comes near', async () => {
  const { page, errors } = await open(login);
  const fetched = () => page.evaluate(() => performance.getEntriesByType('resource')
    .map((e) => new URL(e.name).pathname).filter((p) => /^\/(split|chunk)_/.test(p)));
  // Planning: edits and a second of idle time download nothing of the panel.
  await page.locator('#f-project').fill('cart');
  await page.waitForTimeout(1000);
  assert.deepEqual(await fetched(), []);
  assert.equal(await page.getByTestId('deploy').getAttribute('aria-busy'), 'true');
  await page.getByTestId('deploy').scrollIntoViewIfNeeded();
  await page.getByTestId('deploy-target').waitFor();
  // Its code: the deploy chunk split from the planner's wasm, named by its content.
  assert.deepEqual((await fetched()).map((p) => p.replace(/-[0-9a-f]{16}\./, '-HASH.')), ['/split_deploy-HASH.wasm']);
  assert.equal(await page.getByTestId('deploy').getAttribute('aria-busy'), null);
  // It prices with the planner's copy of the server's book: the book is asked for once.
  const books = await page.evaluate(() => performance.getEntriesByType('resource')
    .filter((e) => new URL(e.name).pathname.startsWith('/api/prices/')).length);
  assert.equal(books, 1);
  // The panel reads the plan as edited before it came, and every edit after.
  assert.equal(await page.getByTestId('stack-name').inputValue(), 'cart-fargate');
  await page.locator('[data-arch=lambda]').click();
  await page.waitForFunction(() => document.querySelector('[data-testid=stack-name]').value === 'cart-lambda');
  // It deploys only what the planner finds valid.
  const button = page.getByTestId('deploy-button');
  assert.equal(await button.isEnabled(), true);
  await page.locator('#f-project').fill('');
  await page.waitForFunction(() => document.querySelector('[data-testid=deploy-button]').disabled);
  // It says why, next to the button.
  assert.equal(await page.getByTestId('deploy-blocked').innerText(), 'Deploy waits for a valid plan: fix the errors under Checks first.');
  assert.equal(await button.getAttribute('aria-describedby'), 'deploy-blocked');
  await page.locator('#f-project').fill('cart');
  await page.waitForFunction(() => !document.querySelector('[data-testid=deploy-button]').disabled);
  assert.equal(await page.getByTestId('deploy-blocked').count(), 0);
  // A number box whose text is not a number holds it back too: the plan would deploy a value
  // the box no longer shows.
  await page.locator('#f-workload-requests_per_month').fill('a million');
  await page.waitForFunction(() => document.querySelector('[data-testid=deploy-button]').disabled);
  await page.locator('#f-workload-requests_per_month').fill('1,000,000');
  await page.waitForFunction(() => !document.querySelector('[data-testid=deploy-button]').disabled);
  // What is typed for the stack stays while its name is edited; code uploaded into a stack's
  // own bucket does not follow the name to another stack.
  const bucket = page.getByTestId('parameter-CodeS3Bucket');
  const key = page.getByTestId('parameter-CodeS3Key');
  await bucket.fill('cart-artifacts');
  await key.fill('api/v1.zip');
  // A stack name CloudFormation would refuse is said at the field, before any request.
  await page.getByTestId('stack-name').fill('2 carts');
  assert.equal(await page.getByTestId('stack-name-problem').innerText(), 'Stack name: "2 carts" is not a valid stack name: start with a letter and use only letters, digits and hyphens');
  assert.equal(await button.isDisabled(), true);
  assert.equal(await page.getByTestId('stack-name').getAttribute('aria-invalid'), 'true');
  await page.getByTestId('stack-name').fill('cart-api');
  assert.equal(await page.getByTestId('stack-name-problem').count(), 0);
  assert.deepEqual([await bucket.inputValue(), await key.inputValue()], ['cart-artifacts', 'api/v1.zip']);
  // Tab goes through every field the deploy sends before it reaches Deploy.
  await page.getByTestId('stack-name').focus();
  const order = [];
  for (let i = 0; i < 3; i++) {
    await page.keyboard.press('Tab');
    order.push(await page.evaluate(() => document.activeElement.dataset.testid));
  }
  assert.deepEqual(order, ['parameter-CodeS3Bucket', 'parameter-CodeS3Key', 'deploy-button']);
  // A reload of the tab keeps what was typed: it would otherwise deploy under the default
  // name, without the code named.
  await page.reload();
  await page.getByTestId('deploy').scrollIntoViewIfNeeded();
  await page.getByTestId('stack-name').waitFor();
  assert.deepEqual(
    [await page.getByTestId('stack-name').inputValue(), await bucket.inputValue(), await key.inputValue()],
    ['cart-api', 'cart-artifacts', 'api/v1.zip'],
  );
  await bucket.fill('stackplan-code-0f1e2d3c-aaaa-bbbb-cccc-1234567890ab');
  await page.getByTestId('stack-name').fill('cart-api-2');
  await page.waitForFunction(() => document.querySelector('[data-testid=parameter-CodeS3Bucket]').value === '');
  assert.equal(await key.inputValue(), '');
  assert.deepEqual(errors, []);
});

test('when the deploy panel cannot load, its card says so and planning goes on', async () => {
  const { page, thrown } = await pageOfItsOwn();
  await page.route(/\/split_deploy-[0-9a-f]{16}\.wasm$/, (route) => route.abort('connectionfailed'));
  await page.goto(server.url);
  await page.getByTestId('monthly-total').waitFor();
  await page.getByTestId('deploy').scrollIntoViewIfNeeded();
  const card = page.getByTestId('deploy-unavailable');
  await card.waitFor();
  assert.match(await card.innerText(), /The deploy panel could not load \(.+\)\. Planning works without it/);
  const before = await page.getByTestId('monthly-total').innerText();
  await page.locator('#f-fargate-desired_tasks').fill('10');
  await page.locator('#f-fargate-min_tasks').fill('4');
  await page.waitForFunction((b) => document.querySelector('[data-testid=monthly-total]').innerText !== b, before);
  assert.deepEqual(thrown, []);
});

test('when the deploy panel\'s code could not be fetched, "Try again" fetches it afresh and mounts the panel', async () => {
  const { page, thrown } = await pageOfItsOwn();
  // The first fetch of the chunk fails, as on a dropped connection; the next ones go through.
  let fetches = 0;
  await page.route(/\/split_deploy-[0-9a-f]{16}\.wasm$/, (route) => {
    fetches += 1;
    return fetches === 1 ? route.abort('connectionfailed') : route.continue();
  });
  await page.goto(login);
  await page.getByTestId('monthly-total').waitFor();
  await page.getByTestId('deploy').scrollIntoViewIfNeeded();
  await page.getByTestId('deploy-unavailable').waitFor();
  // Planning went on while the panel was missing; the panel mounted late reads the plan as it
  // is then, and follows it after.
  await page.locator('#f-project').fill('shop');
  await page.getByTestId('deploy-retry').click();
  await page.getByTestId('deploy-target').waitFor();
  assert.equal(fetches, 2);
  assert.equal(await page.getByTestId('deploy-unavailable').count(), 0);
  // The keyboard's place is where the pressed button was: the panel that took its card's place.
  assert.equal(await page.evaluate(() => document.activeElement?.classList.contains('deploy-slot')), true);
  assert.equal(await page.getByTestId('stack-name').inputValue(), 'shop-fargate');
  await page.locator('[data-arch=lambda]').click();
  await page.waitForFunction(() => document.querySelector('[data-testid=stack-name]').value === 'shop-lambda');
  assert.deepEqual(thrown, []);
});

test('a plan the account\'s bootstrap does not reach is refused with links to its fields', async () => {
  const { page, errors } = await open(login);
  await page.getByRole('button', { name: 'Add variable' }).click();
  await page.getByLabel('Variable 1 name').fill('STRIPE_KEY');
  await page.getByLabel('Variable 1 name').press('Tab');
  await page.getByLabel('Variable 1 source').selectOption('secret');
  await page.getByLabel('Variable 1 value').fill('elsewhere/stripe');
  await page.getByTestId('deploy').scrollIntoViewIfNeeded();
  await page.getByTestId('deploy-target').filter({ hasNotText: 'Asking' }).waitFor();
  await page.getByTestId('deploy-button').click();
  const problems = page.getByTestId('deploy-plan-problems');
  await problems.waitFor();
  assert.match(await problems.innerText(), /^environment\[0\]\.secret: .*stackplan\//);
  // Said once: as a link, not again in the message's text (which names it for a reader of
  // the API's message alone).
  assert.doesNotMatch(await page.getByTestId('deploy-error').innerText(), /• plan\.environment/);
  const said = await page.getByTestId('deploy-error').innerText();
  assert.equal(said.split('elsewhere/stripe').length, 2, said);
  await problems.getByRole('link').click();
  await page.waitForFunction(() => document.activeElement?.getAttribute('aria-label') === 'Variable 1 value');
  assert.deepEqual(errors.filter((e) => !/status of 422/.test(e)), []);
});

test('a parameter the server refuses is said in words at its field, and the word goes once the value changes', async () => {
  const { page, errors } = await open(login);
  await page.getByTestId('deploy').scrollIntoViewIfNeeded();
  await page.getByTestId('deploy-target').filter({ hasNotText: 'Asking' }).waitFor();
  const tag = page.getByTestId('parameter-ImageTag');
  await tag.fill('bad tag!');
  await page.getByTestId('deploy-button').click();
  const said = page.locator('#parameter-ImageTag-problem');
  await said.getByText('must be an image tag: 1-128 letters, digits, _ . and -, not starting with . or -').waitFor();
  assert.equal(await tag.getAttribute('aria-invalid'), 'true');
  await page.getByTestId('deploy-error').waitFor();
  // Another value: the server's word on the old one goes, with the banner that said it.
  await tag.fill('v2');
  assert.equal(await said.innerText(), '');
  assert.equal(await tag.getAttribute('aria-invalid'), null);
  assert.equal(await page.getByTestId('deploy-error').count(), 0);
  assert.deepEqual(errors.filter((e) => !/status of 422/.test(e)), []);
});

test('a parameter value that breaks the template\'s rule is said at its field as it is typed, before any request', async () => {
  const { page, errors } = await open(login);
  await page.getByTestId('deploy').scrollIntoViewIfNeeded();
  await page.getByTestId('deploy-target').filter({ hasNotText: 'Asking' }).waitFor();
  const posted = [];
  page.on('request', (r) => { if (r.method() === 'POST' && r.url().includes('/api/deployments')) posted.push(r.url()); });
  const tag = page.getByTestId('parameter-ImageTag');
  const said = page.locator('#parameter-ImageTag-problem');
  // The template's own words for its pattern, as the server would answer a deploy.
  await tag.fill('-v2');
  assert.equal(await said.innerText(), 'must be an image tag: 1-128 letters, digits, _ . and -, not starting with . or -');
  assert.equal(await tag.getAttribute('aria-invalid'), 'true');
  await tag.fill('x'.repeat(129));
  assert.match(await said.innerText(), /^must be an image tag/);
  // A value that keeps the rule, and an empty box (the template's default), say nothing.
  for (const ok of ['v2.1_rc-3', '']) {
    await tag.fill(ok);
    assert.equal(await said.innerText(), '', ok);
    assert.equal(await tag.getAttribute('aria-invalid'), null, ok);
  }
  assert.deepEqual(posted, []);
  assert.deepEqual(errors, []);
});

test('a parameter value kept from before a reload is checked as the form opens, and the YAML view checks as the JSON one does', async () => {
  const { page, errors } = await open(login);
  const posted = [];
  page.on('request', (r) => { if (r.method() === 'POST' && r.url().includes('/api/deployments')) posted.push(r.url()); });
  const rule = 'must be an image tag: 1-128 letters, digits, _ . and -, not starting with . or -';
  // With the template shown as YAML, the rules are the template's all the same.
  await page.locator('[data-format=yaml]').click();
  await page.waitForFunction(() => /^AWSTemplateFormatVersion: /.test(document.querySelector('pre.code').innerText));
  await page.getByTestId('deploy').scrollIntoViewIfNeeded();
  await page.getByTestId('deploy-target').filter({ hasNotText: 'Asking' }).waitFor();
  const tag = page.getByTestId('parameter-ImageTag');
  const said = page.locator('#parameter-ImageTag-problem');
  await tag.fill('.v2');
  assert.equal(await said.innerText(), rule);
  assert.equal(await tag.getAttribute('aria-invalid'), 'true');
  // Reloaded, the form keeps the value and says at once what is wrong with it, untyped.
  await page.reload();
  await page.getByTestId('monthly-total').waitFor();
  await page.getByTestId('deploy').scrollIntoViewIfNeeded();
  await page.getByTestId('deploy-target').filter({ hasNotText: 'Asking' }).waitFor();
  await page.waitForFunction(() => document.querySelector('[data-testid=parameter-ImageTag]')?.value === '.v2');
  await said.getByText(rule).waitFor();
  assert.equal(await tag.getAttribute('aria-invalid'), 'true');
  // Mended, it says nothing.
  await tag.fill('v2');
  assert.equal(await said.innerText(), '');
  assert.equal(await tag.getAttribute('aria-invalid'), null);
  assert.deepEqual(posted, []);
  assert.deepEqual(errors, []);
});

test('a plan opened from a share link that uses what is beyond its stack deploys only once confirmed, with the list', async () => {
  // Someone writes a plan that gives the account's secret to an image of theirs, and shares it.
  const { page: writer } = await open(server.url);
  await writer.getByRole('button', { name: 'Add variable' }).click();
  await writer.getByLabel('Variable 1 name').fill('STRIPE_KEY');
  await writer.getByLabel('Variable 1 name').press('Tab');
  await writer.getByLabel('Variable 1 source').selectOption('secret');
  await writer.getByLabel('Variable 1 value').fill('stackplan/shop/stripe');
  await writer.locator('#f-fargate-image').fill('docker.io/someone/app');
  await writer.locator('#f-fargate-image').press('Tab');
  await writer.getByTestId('share').click();
  const shared = await writer.getByTestId('share-link').inputValue();
  assert.ok(shared.includes('#plan='), shared);

  // The user's own tab (its token from the login link) lists what the example uses; the link
  // pasted into it brings the writer's plan, whose deploy is asked about first.
  const { page, errors } = await open(login);
  await page.getByTestId('deploy').scrollIntoViewIfNeeded();
  await page.getByTestId('deploy-target').filter({ hasNotText: 'Asking' }).waitFor();
  const uses = page.getByTestId('deploy-uses');
  assert.equal(await uses.locator('p').innerText(), 'Beyond the stack, it:');
  assert.deepEqual(await uses.locator('li').allInnerTexts(), ['sends its alarms to ops@example.com']);
  await page.evaluate((fragment) => { location.hash = fragment; }, shared.slice(shared.indexOf('#')));
  await page.waitForFunction(() => document.querySelector('#f-fargate-image')?.value === 'docker.io/someone/app');
  await uses.filter({ hasText: 'someone/app' }).waitFor();
  await page.getByTestId('deploy-button').click();
  const confirm = page.getByTestId('embedded-confirm');
  await confirm.waitFor();
  assert.equal(await page.getByRole('alertdialog', { name: 'Deploy this plan?' }).count(), 1);
  const text = await page.locator('#embedded-confirm-text').innerText();
  assert.match(text, /^This plan came from a share link, so someone else may have written it/);
  // What the question says and lists is its description, read with the focused Cancel.
  assert.match(await confirm.evaluate(described), /^This plan came from a share link[\s\S]*docker\.io\/someone\/app/);
  assert.deepEqual(await accessibilityViolations(page), []);
  assert.doesNotMatch(text, /inside another page/);
  assert.deepEqual(
    await page.getByTestId('confirm-uses').locator('li').allInnerTexts(),
    [
      'runs an image of docker.io/someone/app',
      'sends its alarms to ops@example.com',
      'gives the service your secret stackplan/shop/stripe as STRIPE_KEY',
    ],
  );
  // Listed once, in the question.
  assert.equal(await page.getByTestId('deploy-uses').count(), 0);
  await page.screenshot({ path: path.join(artifacts, 'deploy-confirm-link.png') });
  await page.getByTestId('cancel-deploy').click();
  await confirm.waitFor({ state: 'detached' });
  await page.getByTestId('deploy-uses').waitFor();
  // Edited, then reloaded: the tab gives the plan back as edited, still one from a share link,
  // whose deploy is still asked about first.
  await page.locator('#f-project').fill('shopx');
  await page.waitForFunction(() => /shopx/.test(document.querySelector('pre.code').innerText));
  await page.reload();
  await page.getByTestId('monthly-total').waitFor();
  assert.equal(await page.locator('#f-project').inputValue(), 'shopx');
  await page.getByTestId('deploy').scrollIntoViewIfNeeded();
  await page.getByTestId('deploy-target').filter({ hasNotText: 'Asking' }).waitFor();
  await page.getByTestId('deploy-button').click();
  await confirm.waitFor();
  assert.match(await page.locator('#embedded-confirm-text').innerText(), /^This plan came from a share link/);
  await page.getByTestId('cancel-deploy').click();
  await confirm.waitFor({ state: 'detached' });
  assert.equal(await page.getByTestId('deploy-status').count(), 0, 'nothing was deployed');
  assert.equal(await page.getByTestId('deploy-progress').count(), 0, 'nothing was deployed');
  assert.deepEqual(errors, []);
});

test('a token a login link brought is said, and can be forgotten', async () => {
  const { page, errors } = await open(login);
  await page.getByTestId('deploy').scrollIntoViewIfNeeded();
  const said = page.getByTestId('deploy-as');
  await said.waitFor();
  // This server's token has no tenant: the line says only where the token came from.
  assert.match(await said.innerText(), /^Deploys with the token of the login link this tab was opened with\./);
  await page.getByTestId('forget-token').click();
  await page.getByTestId('deploy-token').waitFor();
  assert.equal(await page.getByTestId('deploy-as').count(), 0);
  assert.equal(await page.evaluate(() => sessionStorage.getItem('stackplan-token')), '');
  // A token typed here is the user's own: nothing to say about it.
  await page.getByTestId('deploy-token').fill(login.split('#token=')[1]);
  await page.getByTestId('deploy-token').press('Enter');
  await page.getByTestId('deploy-button').waitFor();
  assert.equal(await page.getByTestId('deploy-as').count(), 0);
  // A login URL opened in this tab later changes only the fragment: its token is taken, said,
  // and leaves the address bar at once.
  await page.evaluate((fragment) => { location.hash = fragment; }, login.slice(login.indexOf('#')));
  await said.waitFor();
  assert.match(await said.innerText(), /login link/);
  assert.ok(!page.url().includes('token'), page.url());
  assert.deepEqual(errors, []);
});

test('without the token the panel asks for it, and a wrong one is refused', async () => {
  const { page, errors } = await open(server.url);
  await page.getByTestId('deploy').scrollIntoViewIfNeeded();
  await page.getByTestId('deploy-token').waitFor();
  await page.getByTestId('deploy-token').fill('not-the-token');
  await page.getByTestId('deploy-token').press('Enter');
  // Refused at once (the panel asks whom the token deploys as), not at the first deploy: the
  // panel says why and asks for the token again.
  await page.getByTestId('deploy-error').filter({ hasText: 'not valid' }).waitFor();
  await page.getByTestId('deploy-token').waitFor();
  assert.equal(await page.getByTestId('deploy-button').count(), 0);
  assert.equal(await page.evaluate(() => sessionStorage.getItem('stackplan-token')), '');
  // The right one is kept: the form comes, and the stack name typed is the one deployed next.
  await page.getByTestId('deploy-token').fill(login.split('#token=')[1]);
  await page.getByTestId('deploy-token').press('Enter');
  await page.getByTestId('stack-name').fill('shop-prod');
  await page.waitForTimeout(500);
  assert.equal(await page.getByTestId('stack-name').inputValue(), 'shop-prod');
  assert.equal(await page.getByTestId('deploy-token').count(), 0);
  assert.equal(await page.getByTestId('deploy-error').count(), 0, 'the refusal was the other token\'s');
  assert.deepEqual(errors.filter((e) => !/status of 401/.test(e)), []);
});

test('"Connect an AWS account" gives the bootstrap template, a fresh ExternalId and the commands', async () => {
  const { page, errors } = await open(login);
  await page.getByTestId('deploy').scrollIntoViewIfNeeded();
  const connect = page.getByTestId('connect-account');
  await connect.scrollIntoViewIfNeeded();
  await connect.locator('summary').click();
  const command = page.getByTestId('bootstrap-command');
  await command.waitFor();
  const text = await command.innerText();
  assert.match(text, /aws cloudformation deploy --stack-name stackplan-bootstrap --template-file stackplan-bootstrap\.json/);
  assert.match(text, /ExternalId=stackplan-[0-9a-f]{48}/);
  // An update of a bootstrap in use keeps its server's ExternalId: the page says how.
  assert.match(await page.getByTestId('bootstrap-update-note').innerText(), /Keep that server's ExternalId: run stackplan bootstrap --external-id <its ID> instead/);
  // The sandbox's caller is a user, not a role's session: no note about sessions.
  assert.equal(await page.getByTestId('session-principal').count(), 0);
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download-bootstrap').click()]);
  assert.equal(download.suggestedFilename(), 'stackplan-bootstrap.json');
  const template = JSON.parse(await (await import('node:fs')).promises.readFile(await download.path(), 'utf8'));
  assert.deepEqual(Object.keys(template.Outputs), ['DeployerRoleArn', 'ExecutionRoleArn', 'PermissionsBoundaryArn', 'SettingsPrefixes', 'HostedZoneIds']);
  // The server's own lists (here its defaults): secrets under stackplan/, no hosted zone.
  assert.equal(template.Outputs.SettingsPrefixes.Value, 'stackplan/');
  assert.equal(template.Outputs.HostedZoneIds.Value, '(none)');
  assert.deepEqual(errors, []);
});

test('a delete stopped by deletion protection deletes the rest, keeping what it could not delete, once asked', async () => {
  const { page, errors } = await open(login);
  // The governed-account profile protects the database and the load balancer.
  const cert = (await motoTool('certificate', 'shop.example.com')).arn;
  await page.getByTestId('controls-summary').click();
  await page.locator('#f-governed').check();
  await page.locator('#f-fargate-user').fill('1000');
  await page.locator('#f-fargate-https').check();
  await page.locator('#f-fargate-https-certificate_arn').fill(cert);
  await page.locator('#f-log_bucket').fill('shop-access-logs-us-east-1');
  await page.waitForFunction(() => document.querySelector('[data-testid=controls-count]').innerText === 'all 61 controls pass');
  // The user's own log bucket exists first, with the policy the page gives for it.
  await page.getByTestId('log-bucket-policy').locator('summary').click();
  const policy = (await page.getByTestId('log-bucket-policy').locator('pre').innerText()).replaceAll('YOUR-ACCOUNT-ID', '123456789012');
  await motoTool('log-bucket', 'shop-access-logs-us-east-1', policy);
  await page.getByTestId('deploy').scrollIntoViewIfNeeded();
  await page.getByTestId('stack-name').fill('shop-governed');
  await page.getByTestId('deploy-button').click();
  const status = page.getByTestId('deploy-status');
  await status.filter({ hasText: 'CREATE_COMPLETE' }).or(page.getByTestId('deploy-error')).waitFor({ timeout: 120000 })
    .catch(async (e) => { throw new Error(`${e.message}\n${await page.getByTestId('deploy').innerText()}`); });
  assert.equal(await page.getByTestId('deploy-error').count(), 0, await page.getByTestId('deploy').innerText());
  await page.getByTestId('delete-stack').click();
  await page.getByTestId('confirm-delete').click();
  await status.filter({ hasText: 'DELETE_FAILED' }).waitFor({ timeout: 60000 });
  // What the delete could not delete, with why, and the way out.
  const undeleted = await page.getByTestId('undeleted').innerText();
  assert.match(undeleted, /Database \(AWS::RDS::DBInstance\): .*deletion protection/, undeleted);
  assert.match(undeleted, /LoadBalancer \(AWS::ElasticLoadBalancingV2::LoadBalancer\): /, undeleted);
  await page.getByTestId('delete-keeping').click();
  await page.getByTestId('keep-confirm').waitFor();
  // The question takes the focus, on Cancel, and is named by what it keeps.
  await page.waitForFunction(() => document.activeElement?.dataset.testid === 'cancel-keep');
  const question = await page.getByRole('alertdialog').getAttribute('aria-labelledby');
  assert.match(await page.locator(`#${question}`).innerText(),
    /^Delete the stack, keeping (Database \(AWS::RDS::DBInstance\)|LoadBalancer \(AWS::ElasticLoadBalancingV2::LoadBalancer\)) and (Database|LoadBalancer) \(.+\)\?$/);
  assert.match(await page.getByRole('alertdialog').evaluate(described), /outside any stack, running and billed until you delete them yourself/);
  assert.deepEqual(await accessibilityViolations(page), []);
  await page.getByTestId('undeleted').screenshot({ path: path.join(artifacts, 'deploy-delete-keeping.png') });
  await page.getByTestId('confirm-keep').click();
  await status.filter({ hasText: 'DELETE_COMPLETE' }).waitFor({ timeout: 60000 });
  // The list comes with the final status; on a loaded machine it can be drawn a frame later.
  await page.getByTestId('left-behind').locator('li').nth(1).waitFor({ timeout: 10000 });
  const left = await page.getByTestId('left-behind').locator('li').allInnerTexts();
  for (const kept of ['Database, AWS::RDS::DBInstance', 'LoadBalancer, AWS::ElasticLoadBalancingV2::LoadBalancer']) {
    assert.ok(left.some((l) => l.endsWith(`(${kept}): kept, as the delete was asked`)), left.join('\n'));
  }
  // They are still in the account; the rest is gone.
  const inventory = await motoTool('inventory');
  assert.equal(inventory.load_balancers.length, 1, JSON.stringify(inventory.load_balancers));
  assert.equal(inventory.db_instances.length, 1, JSON.stringify(inventory.db_instances));
  assert.deepEqual(inventory.ecs_services, []);
  // Kept resources outlive the stack: the sandbox starts afresh for whatever runs next.
  await motoTool('reset');
  assert.deepEqual(errors.filter((e) => !/status of (409|422)/.test(e)), []);
});

// moto cannot fail a rollback, so the stack's answers after a failed rollback are scripted here
// at the API (routes answering the real server's own Status for this stack, changed only in
// what a failed rollback changes); the panel and its requests are the real ones.
test('a stack whose update rollback failed says what it could not roll back, and continues it skipping that once asked', async () => {
  const { page, errors } = await open(login);
  await page.locator('[data-arch=lambda]').click();
  await page.getByTestId('deploy').scrollIntoViewIfNeeded();
  await page.getByTestId('stack-name').fill('shop-rollback');
  await page.getByTestId('deploy-button').click();
  await page.getByTestId('deploy-status').filter({ hasText: 'shop-rollback CREATE_COMPLETE' }).waitFor({ timeout: 60000 });
  const [id] = (await page.evaluate(() => sessionStorage.getItem('stackplan-following'))).split('\n');
  const token = await page.evaluate(() => sessionStorage.getItem('stackplan-token'));
  const real = await (await page.request.get(new URL(`/api/deployments/${id}`, login).href, { headers: { authorization: `Bearer ${token}` } })).json();
  const stuck = {
    ...real, status: 'UPDATE_ROLLBACK_FAILED', done: true, succeeded: false, outputs: [],
    failure: { logical_id: 'Function', resource_type: 'AWS::Lambda::Function', status: 'UPDATE_FAILED', reason: 'Function code could not be restored' },
    not_rolled_back: [{ logical_id: 'Function', resource_type: 'AWS::Lambda::Function', status: 'UPDATE_FAILED', reason: 'Function code could not be restored' }],
  };
  const rolledBack = { ...real, status: 'UPDATE_ROLLBACK_COMPLETE', done: true, succeeded: true };
  let answer = stuck;
  await page.route(`**/api/deployments/${id}/events`, (route) => route.fulfill({
    status: 200, contentType: 'text/event-stream', body: `event: done\ndata: ${JSON.stringify(answer)}\n\n`,
  }));
  const asked = [];
  await page.route(`**/api/deployments/${id}/continue-rollback`, (route) => {
    asked.push(route.request().postDataJSON());
    answer = rolledBack;
    return route.fulfill({ status: 202, contentType: 'application/json', body: JSON.stringify({ ...stuck, status: 'UPDATE_ROLLBACK_IN_PROGRESS', done: false, not_rolled_back: [] }) });
  });
  // Followed again after a reload: the stack is found stuck.
  await page.reload();
  await page.getByTestId('deploy').scrollIntoViewIfNeeded();
  const banner = page.getByTestId('not-rolled-back');
  await banner.waitFor({ timeout: 30000 });
  assert.match(await banner.innerText(), /It could not roll back:\s*Function \(AWS::Lambda::Function\): Function code could not be restored/);
  await page.getByTestId('skip-rollback').click();
  await page.waitForFunction(() => document.activeElement?.dataset.testid === 'cancel-skip');
  assert.equal(await page.getByRole('alertdialog', { name: 'Continue the rollback, skipping Function (AWS::Lambda::Function)?' }).count(), 1);
  assert.deepEqual(await accessibilityViolations(page), []);
  await page.getByTestId('confirm-skip').click();
  await page.getByTestId('deploy-status').filter({ hasText: 'shop-rollback UPDATE_ROLLBACK_COMPLETE' }).waitFor({ timeout: 30000 });
  assert.deepEqual(asked, [{ skip: ['Function'] }]);
  await page.unrouteAll({ behavior: 'ignoreErrors' });
  // The stack itself was never touched: delete it for real.
  await page.getByTestId('delete-stack').click();
  await page.getByTestId('confirm-delete').click();
  await page.getByTestId('deploy-status').filter({ hasText: 'DELETE_COMPLETE' }).waitFor({ timeout: 60000 });
  assert.deepEqual(errors, []);
});

test('a tenant held to a stack-name prefix is told it, and another name is refused with it', async () => {
  // A server shared by tenants: a tokens file whose only entry is team-a's, held to `team-a-`.
  const dir = fs.mkdtempSync(path.join(root, 'target', 'tenant-'));
  const tokens = path.join(dir, 'tokens.json');
  const token = 'tenant-token-0123456789abcdef';
  fs.writeFileSync(tokens, JSON.stringify({ tokens: [{
    token, owner: 'team-a', stack_prefix: 'team-a-',
    roles: [{ role_arn: 'arn:aws:iam::123456789012:role/stackplan-deployer', execution_role_arn: 'arn:aws:iam::123456789012:role/stackplan-execution', settings_prefixes: ['stackplan/team-a/'] }],
  }] }));
  const shared = await startServer(['--aws-endpoint', motoEndpoint, '--tokens-file', tokens]);
  try {
    const { page, errors } = await open(shared.url);
    await page.locator('[data-arch=lambda]').click();
    await page.getByTestId('deploy').scrollIntoViewIfNeeded();
    await page.getByTestId('deploy-token').fill(token);
    await page.getByTestId('deploy-token').press('Enter');
    const said = page.getByTestId('deploy-as');
    await said.waitFor();
    assert.equal(await said.innerText(), 'Deploys as team-a. Its stack names start with "team-a-".');
    // The planner's own name does not start with it: refused at once, saying the prefix.
    assert.equal(await page.getByTestId('stack-name').inputValue(), 'shop-lambda');
    await page.getByTestId('deploy-button').click();
    await page.getByTestId('deploy-error').filter({ hasText: 'start with "team-a-"' }).waitFor();
    assert.equal(await page.getByTestId('deploy-status').count(), 0, 'nothing was deployed');
    assert.deepEqual(errors.filter((e) => !/status of 422/.test(e)), []);
  } finally {
    stopServer(shared);
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
