// The Control Tower checklist in Chromium: the counts the core gives (held to cfn-guard's
// verdicts by tests/tests/judges.rs), a failed control with its resources, and a one-click fix
// that changes the plan, its cost and the count.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { artifacts, suite } from './harness.mjs';

const t = await suite();

const total = (page) => page.getByTestId('monthly-total').innerText();
const usd = (text) => Number(text.replace(/[^\d.]/g, ''));

test('the checklist shows what a governed account would block, and a fix applies with its cost', async () => {
  const page = await t.open();
  // The Fargate example: 15 of the 58 controls that judge its template fail (control-tower.txt).
  assert.equal(await page.getByTestId('controls-count').innerText(), '15 of 58 controls fail');
  await page.getByTestId('controls-summary').click();
  const multiAz = page.locator('li.control.failed[data-control="CT.RDS.PR.1"]');
  await multiAz.waitFor();
  assert.match(await multiAz.innerText(), /Multi-AZ — Database/);
  // A control the governed profile satisfies says so; one that needs what only the user has
  // names the setting.
  assert.match(await page.locator('li.control.failed[data-control="CT.S3.PR.9"]').innerText(), /Needs the governed-account profile .*Object Lock/);
  assert.match(await page.locator('li.control.failed[data-control="CT.ELASTICACHE.PR.8"]').innerText(), /Needs the governed-account profile .*Redis role-based access control/);
  assert.match(await page.locator('li.control.failed[data-control="CT.S3.PR.2"]').innerText(), /your own bucket for the access logs \(log_bucket\)/);
  // Tall enough for the whole card: the results column scrolls on its own.
  await page.setViewportSize({ width: 1400, height: 4000 });
  await page.locator('.controls-card').screenshot({ path: path.join(artifacts, 'controls.png') });
  // The fix names its price: the Multi-AZ standby doubles the database's instance and storage.
  const button = multiAz.locator('button');
  const label = await button.innerText();
  const m = /^Apply \(\+\$([\d,]+\.\d\d)\/month\)$/.exec(label);
  assert.ok(m, label);
  const delta = usd(m[1]);
  assert.ok(delta > 10, label);
  const before = usd(await total(page));
  await button.click();
  await page.waitForFunction(() => document.querySelector('[data-testid=controls-count]').innerText === '14 of 58 controls fail');
  assert.equal(await page.locator('#f-fargate-database-multi_az').isChecked(), true);
  const after = usd(await total(page));
  assert.ok(Math.abs(after - before - delta) < 0.011, `${before} + ${delta} != ${after}`);
  assert.equal(await page.locator('li.control.failed[data-control="CT.RDS.PR.1"]').count(), 0);
});

test('applying a fix from the keyboard leaves the focus on the next fix, not on the page', async () => {
  const page = await t.open();
  await page.getByTestId('controls-summary').click();
  const apply = page.locator('[data-testid=controls-failed] button[data-control]');
  await apply.first().waitFor();
  const ids = await apply.evaluateAll((bs) => bs.map((b) => b.dataset.control));
  assert.ok(ids.length >= 2, ids.join());
  await apply.first().focus();
  await page.keyboard.press('Enter');
  await page.waitForFunction((id) => !document.querySelector(`[data-testid=controls-failed] button[data-control="${id}"]`), ids[0]);
  await page.waitForFunction((id) => document.activeElement?.dataset.control === id, ids[1]);
});

test('a Lambda plan is judged by its own controls', async () => {
  const page = await t.open();
  await page.locator('[data-arch=lambda]').click();
  // The Lambda example: 9 of 20 (control-tower.txt).
  await page.waitForFunction(() => document.querySelector('[data-testid=controls-count]').innerText === '9 of 20 controls fail');
});

test('the governed-account switch brings what it can, names what it cannot, and its price holds', async () => {
  const page = await t.open();
  await page.getByTestId('controls-summary').click();
  const note = await page.getByTestId('governed-note').innerText();
  // The profile's KMS key has no price in the book: the difference is a lower bound.
  const m = /: \+\$([\d,]+\.\d\d)\/month \+ unknown\.$/.exec(note);
  assert.ok(m, note);
  const before = usd(await total(page));
  await page.locator('#f-governed').check();
  // What only the user can give is asked for where it is set, naming the control.
  await page.locator('.field-msg.error', { hasText: 'CT.ECS.PR.3' }).waitFor();
  await page.getByTestId('problems').getByText('CT.ELASTICLOADBALANCING.PR.1').waitFor();
  assert.equal(await page.locator('#f-fargate-database-multi_az').isChecked(), true);
  // Still invalid, the plan is judged as it stands, by its own template: the profile's key and
  // settings pass; the user, HTTPS and a log bucket of the user's are still missing.
  await page.waitForFunction(() => document.querySelector('[data-testid=controls-count]').innerText === '5 of 60 controls fail');
  await page.locator('.field-msg.error', { hasText: 'CT.S3.PR.2' }).waitFor();
  await page.locator('#f-fargate-user').fill('1000');
  await page.locator('#f-fargate-https').check();
  await page.locator('#f-fargate-https-certificate_arn').fill('arn:aws:acm:us-east-1:123456789012:certificate/0b2c4d6e-8a1b-4c3d-9e5f-7a9b1c3d5e7f');
  // Only the stack's own log bucket fails now: S3 delivers access logs only into an SSE-S3
  // bucket, which cannot log into itself. The user's own bucket takes the logs instead, and the
  // page gives the statements its policy needs.
  await page.waitForFunction(() => document.querySelector('[data-testid=controls-count]').innerText === '3 of 61 controls fail');
  await page.locator('#f-log_bucket').fill('shop-access-logs-us-east-1');
  // The judge's verdict on the matrix's fargate-governed plan (control-tower.txt): none fails.
  await page.waitForFunction(() => document.querySelector('[data-testid=controls-count]').innerText === 'all 61 controls pass');
  await page.getByTestId('log-bucket-policy').locator('summary').click();
  const policy = JSON.parse(await page.getByTestId('log-bucket-policy').locator('pre').innerText());
  assert.deepEqual(policy.Statement.map((s) => s.Sid), ['S3ServerAccessLogs', 'LoadBalancerAccessLogs', 'FlowLogsWrite', 'FlowLogsAclCheck']);
  assert.equal(policy.Statement[0].Resource, 'arn:aws:s3:::shop-access-logs-us-east-1/*/s3/*');
  const text = await page.locator('pre.code').innerText();
  assert.match(text, /"User": "1000"/);
  assert.match(text, /"Port": "5433"/);
  assert.match(text, /"Type": "AWS::KMS::Key"/);
  assert.match(text, /"DeletionProtection": true/);
  assert.match(text, /"Type": "AWS::ElastiCache::UserGroup"/);
  assert.doesNotMatch(text, /"LogBucket"/);
  // The profile's settings cost what the note said (HTTPS itself costs nothing).
  const after = usd(await total(page));
  assert.ok(Math.abs(after - before - usd(m[1])) < 0.011, `${before} + ${m[1]} != ${after}`);
  assert.match(await page.getByTestId('governed-note').innerText(), /profile is on/);
});

test('a Lambda API takes a JWT authorizer and throttling, and the control it satisfies passes', async () => {
  const page = await t.open();
  await page.locator('[data-arch=lambda]').click();
  await page.waitForFunction(() => document.querySelector('[data-testid=controls-count]').innerText === '9 of 20 controls fail');
  await page.locator('#f-lambda-authorizer').selectOption('jwt');
  await page.locator('.field-msg.error', { hasText: 'is not an issuer URL' }).waitFor();
  await page.locator('#f-lambda-authorizer-jwt-issuer').fill('https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Example1');
  // One audience's message describes the box, which is then invalid (a screen reader reads it
  // with the box).
  const audience = page.locator('#f-lambda-authorizer-jwt-audience');
  await audience.fill('ok, {{resolve:ssm:/x}}');
  const itemMessage = page.locator('.field-msgs', { has: page.locator('.field-msg.error', { hasText: 'must not hold a CloudFormation dynamic reference' }) });
  await itemMessage.waitFor();
  assert.equal(await audience.getAttribute('aria-invalid'), 'true');
  assert.ok((await audience.getAttribute('aria-describedby')).split(' ').includes(await itemMessage.getAttribute('id')));
  await audience.fill('');
  // Typed key by key, the box keeps what is typed (a comma, a space) while the plan parses it.
  await page.locator('#f-lambda-authorizer-jwt-audience').pressSequentially('4f1example2client3id5, second-client');
  assert.equal(await page.locator('#f-lambda-authorizer-jwt-audience').inputValue(), '4f1example2client3id5, second-client');
  await page.locator('#f-lambda-throttling').check();
  await page.locator('#f-lambda-throttling-rate_per_second').fill('200');
  await page.locator('#f-lambda-throttling-burst').fill('100');
  // The judge on the matrix's lambda-jwt plan: 8 of 20 (CT.APIGATEWAY.PR.5 passes).
  await page.waitForFunction(() => document.querySelector('[data-testid=controls-count]').innerText === '8 of 20 controls fail');
  const text = await page.locator('pre.code').innerText();
  assert.match(text, /"AuthorizerType": "JWT"/);
  assert.match(text, /"Audience": \["4f1example2client3id5", "second-client"\]/);
  assert.match(text, /"DefaultRouteSettings": \{"ThrottlingBurstLimit": 100, "ThrottlingRateLimit": 200\}/);
  // A REST API takes IAM only: the core says so at the field.
  await page.locator('#f-lambda-api').selectOption('rest');
  await page.locator('.field-msg.error', { hasText: 'a JWT authorizer needs an HTTP API' }).waitFor();
  await page.locator('#f-lambda-authorizer').selectOption('iam');
  await page.waitForFunction(() => /"AuthorizationType": "AWS_IAM"/.test(document.querySelector('pre.code').innerText));
  // Back to an HTTP API with a JWT authorizer: the issuer and audience come back as they were.
  await page.locator('#f-lambda-api').selectOption('http');
  await page.locator('#f-lambda-authorizer').selectOption('jwt');
  assert.equal(await page.locator('#f-lambda-authorizer-jwt-issuer').inputValue(), 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Example1');
  await page.waitForFunction(() => /"Audience": \["4f1example2client3id5", "second-client"\]/.test(document.querySelector('pre.code').innerText));
});
