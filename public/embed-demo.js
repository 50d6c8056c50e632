// The demo host page's own script: it logs what the planner tells it.
const planner = document.getElementById('planner');
const log = document.getElementById('log');

function show(type, d) {
  const li = document.createElement('li');
  li.dataset.type = type;
  li.textContent = type === 'plan-changed'
    ? `plan-changed: ${d.plan.project} ${d.plan.fargate ? 'fargate ' + d.plan.fargate.vcpu + ' vCPU' : 'lambda ' + d.plan.lambda.memory_mb + ' MB'}, $${d.monthly_usd ?? '—'}${d.lower_bound ? '+' : ''}`
    : type === 'plan-rejected' ? `plan-rejected: ${d.reason}` : type;
  log.prepend(li);
  if (type === 'plan-changed' && d.monthly_usd != null) document.getElementById('total').textContent = `$${d.monthly_usd.toFixed(2)}${d.lower_bound ? '+' : ''}`;
}

for (const type of ['ready', 'plan-changed', 'plan-rejected', 'deploy-started', 'deploy-finished', 'delete-finished']) {
  planner.addEventListener(`stackplan:${type}`, (e) => show(type, e.detail));
}
// This script may run after the planner said it is ready (they load in parallel): then those
// events have passed, and the element tells what they said.
if (planner.ready) show('ready', {});
if (planner.current) show('plan-changed', planner.current);
