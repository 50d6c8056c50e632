// The topology diagram in Chromium: every logical id of the template is on it, it follows
// edits (patched in place when only costs move), hovering shows type, id and cost, and it
// exports as SVG.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { artifacts, suite } from './harness.mjs';

const t = await suite();

async function shownIds(page) {
  return page.evaluate(() => {
    const root = document.querySelector('[data-testid=topology]');
    const ids = new Set([...root.querySelectorAll('[data-id]')].map((e) => e.getAttribute('data-id')));
    for (const a of root.querySelectorAll('[data-resources]')) {
      for (const id of a.getAttribute('data-resources').split(' ').filter(Boolean)) ids.add(id);
    }
    ids.delete('Internet');
    return [...ids].sort();
  });
}

async function templateIds(page) {
  await page.locator('[data-format=json]').click();
  return Object.keys(JSON.parse(await page.locator('pre.code').innerText()).Resources).sort();
}

test('every logical id of the template is on the diagram, for both examples, and it follows edits', async () => {
  const page = await t.open();
  await page.locator('[data-testid=topology] svg').waitFor();
  assert.deepEqual(await shownIds(page), await templateIds(page));
  await page.locator('[data-testid=topology]').screenshot({ path: path.join(artifacts, 'topology-fargate.png') });

  await page.locator('#f-fargate-database').uncheck();
  await page.waitForFunction(() => !document.querySelector('[data-testid=topology] [data-id=Database]'));
  assert.deepEqual(await shownIds(page), await templateIds(page));

  await page.locator('[data-arch=lambda]').click();
  await page.locator('[data-testid=topology] [data-id=Function]').waitFor();
  assert.deepEqual(await shownIds(page), await templateIds(page));
});

test('your own domain: the diagram shows it in front of the service, the template has its certificate and record, the estimate says what Route 53 bills', async () => {
  const page = await t.open();
  await page.locator('#f-domain').check();
  await page.locator('#f-domain-name').fill('shop.example.com');
  await page.locator('#f-domain-hosted_zone_id').fill('Z0123');
  const record = page.locator('[data-testid=topology] g.node[data-id=DomainRecord]');
  await record.waitFor();
  assert.match(await record.textContent(), /shop\.example\.com/);
  assert.deepEqual(await shownIds(page), await templateIds(page));
  const template = await page.locator('pre.code').innerText();
  assert.match(template, /AWS::CertificateManager::Certificate/);
  assert.match(template, /"RedirectConfig"/, 'port 80 redirects to HTTPS');
  assert.match(await page.getByText('Route 53 Hosted zone:').innerText(), /billed there/);
  await page.locator('[data-testid=topology]').screenshot({ path: path.join(artifacts, 'topology-domain.png') });

  await page.locator('#f-domain-hosted_zone_id').fill('/hostedzone/Z0123');
  await page.locator('.field-msg.error', { hasText: 'give only the part after /hostedzone/' }).waitFor();

  await page.locator('[data-arch=lambda]').click();
  await page.locator('#f-domain-hosted_zone_id').fill('Z0123');
  await page.locator('[data-testid=topology] g.node[data-id=ApiDomainName], [data-testid=topology] text.member[data-id=ApiDomainName]').first().waitFor();
  assert.deepEqual(await shownIds(page), await templateIds(page));
});

test('hovering a node tells its type, id and monthly cost; the SVG exports', async () => {
  const page = await t.open();
  const node = page.locator('[data-testid=topology] g.node[data-id=LoadBalancer]');
  await node.waitFor();
  const title = await node.locator('title').textContent();
  assert.match(title, /^AWS::ElasticLoadBalancingV2::LoadBalancer\nLoadBalancer\nLoad balancer: \$\d+\.\d\d\/month/);
  await node.hover();
  const [dl] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-svg').click()]);
  assert.equal(dl.suggestedFilename(), 'shop-fargate.topology.svg');
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'stackplan-')), 'x.svg');
  await dl.saveAs(file);
  assert.match(fs.readFileSync(file, 'utf8'), /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
});

test('an edit of cost replaces only the parts of the diagram it changes, and the result equals the whole diagram drawn anew', async () => {
  const page = await t.open();
  const root = page.locator('[data-testid=topology] svg');
  await root.waitFor();
  await page.locator('#f-fargate-desired_tasks').fill('10');
  await page.locator('#f-fargate-min_tasks').fill('2');
  const service = page.locator('[data-testid=topology] g.node[data-id=Service] > title');
  for (const min of ['5', '3']) {
    const before = await service.textContent();
    // The root element is kept across an edit that only moves costs: a mark on it survives.
    await root.evaluate((svg) => { svg.keptAcrossEdits = true; });
    await page.locator('#f-fargate-min_tasks').fill(min);
    await page.waitForFunction((t) => document.querySelector('[data-testid=topology] g.node[data-id=Service] > title').textContent !== t, before);
    assert.equal(await root.evaluate((svg) => svg.keptAcrossEdits === true), true, 'patched in place');
    const [dl] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-svg').click()]);
    const exported = fs.readFileSync(await dl.path(), 'utf8');
    const equal = await page.evaluate((text) => {
      const fresh = document.createElement('div');
      fresh.innerHTML = text;
      return fresh.firstElementChild.isEqualNode(document.querySelector('[data-testid=topology] svg'));
    }, exported);
    assert.equal(equal, true, `after minimum ${min} tasks, the patched diagram differs from the exported one`);
  }
  // Another shape (no database) replaces the whole diagram, also equal to its export.
  await page.locator('#f-fargate-database').uncheck();
  await page.waitForFunction(() => !document.querySelector('[data-testid=topology] [data-id=Database]'));
  const [dl] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-svg').click()]);
  const exported = fs.readFileSync(await dl.path(), 'utf8');
  assert.equal(await page.evaluate((text) => {
    const fresh = document.createElement('div');
    fresh.innerHTML = text;
    return fresh.firstElementChild.isEqualNode(document.querySelector('[data-testid=topology] svg'));
  }, exported), true);
});

test('the diagram reads as text: every resource with its cost, every connection, and no Tab stop inside the picture', async () => {
  const page = await t.open();
  await page.locator('[data-testid=topology] svg').waitFor();
  assert.equal(await page.locator('[data-testid=topology] [tabindex]').count(), 0);
  await page.getByTestId('topology-text').locator('summary').click();
  const rows = page.locator('[data-testid=topology-text] tr[data-id]');
  await rows.first().waitFor();
  const listed = (await rows.evaluateAll((rs) => rs.map((r) => r.dataset.id))).sort();
  assert.deepEqual(listed, await templateIds(page));
  // The costs are the cost lines' (the hover text's); a connection names both ends.
  assert.match(await page.locator('[data-testid=topology-text] tr[data-id=Service]').innerText(), /AWS::ECS::Service\s+VPC.*\$[\d,]+\.\d\d/s);
  const edges = await page.locator('[data-testid=topology-text] li[data-from]').count();
  assert.equal(edges, await page.locator('[data-testid=topology] g.edge').count());
  // It follows edits while open.
  await page.locator('#f-fargate-database').uncheck();
  await page.waitForFunction(() => !document.querySelector('[data-testid=topology-text] tr[data-id=Database]'));
});

test('the diagram shows at full size on request, its labels as drawn, and fits the card again', async () => {
  const page = await t.open();
  const svg = page.locator('[data-testid=topology] svg');
  await svg.waitFor();
  const sizes = () => svg.evaluate((s) => [s.getBoundingClientRect().width, Number(s.getAttribute('width'))]);
  const [fitted, drawn] = await sizes();
  assert.ok(fitted < drawn, `fitted ${fitted} of ${drawn}`);
  const button = page.getByTestId('diagram-full-size');
  assert.equal(await button.getAttribute('aria-pressed'), 'false');
  await button.click();
  assert.equal(await button.getAttribute('aria-pressed'), 'true');
  const [full] = await sizes();
  assert.equal(Math.round(full), drawn);
  await button.click();
  assert.equal(Math.round((await sizes())[0]), Math.round(fitted));
});
