// The demo host page's own script: it logs what the planner tells it.
const planner = document.getElementById('planner');
const log = document.getElementById('log');
for (const type of ['ready', 'plan-changed', 'deploy-started', 'deploy-finished', 'delete-finished']) {
  planner.addEventListener(`stackplan:${type}`, (e) => {
    const li = document.createElement('li');
    li.dataset.type = type;
    const d = e.detail;
    li.textContent = type === 'plan-changed'
      ? `plan-changed: ${d.plan.project} ${d.plan.fargate ? 'fargate ' + d.plan.fargate.vcpu + ' vCPU' : 'lambda ' + d.plan.lambda.memory_mb + ' MB'}, $${d.monthly_usd ?? '—'}${d.lower_bound ? '+' : ''}`
      : type;
    log.prepend(li);
    if (type === 'plan-changed' && d.monthly_usd != null) document.getElementById('total').textContent = `$${d.monthly_usd.toFixed(2)}${d.lower_bound ? '+' : ''}`;
  });
}
