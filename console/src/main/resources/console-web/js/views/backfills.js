// Backfills: the form that starts one (one mart run per date) and the list with a status cell per date.
import * as api from '../api.js';
import { badge, fill, h, time } from '../dom.js';

/** The backfill form and list; used by the Backfills page and the Jobs page. */
export function backfillPanel(app, highlightId) {
  let gen = 0;
  const today = new Date().toISOString().slice(0, 10);
  const from = h('input', { type: 'date', id: 'backfill-from', name: 'from', required: true, max: today });
  const to = h('input', { type: 'date', id: 'backfill-to', name: 'to', required: true, max: today });
  const job = h('select', { id: 'backfill-job', name: 'job' }, h('option', { value: 'mart' }, 'mart'));
  const submit = h('button', { type: 'submit', id: 'backfill-submit' }, 'Start backfill');
  const form = h('form', { id: 'backfill-form', class: 'inline-form', onsubmit: start },
    field('backfill-job', 'Job', job), field('backfill-from', 'From', from), field('backfill-to', 'To (inclusive)', to), submit);
  const list = h('div', { id: 'backfills' }, h('p', { class: 'empty' }, 'Loading…'));

  async function start(event) {
    event.preventDefault();
    if (from.value > to.value) {
      app.error('Backfill: "from" is after "to".');
      return;
    }
    const created = await app.act(submit, () =>
      api.post('/api/backfills', { job: job.value, from: from.value, to: to.value }));
    if (created) {
      app.notify(`Backfill #${created.id} started: ${(created.run_ids || []).length} run(s).`);
      app.navigate(`#/backfills/${created.id}`);
    }
  }

  async function refresh() {
    const mine = ++gen;
    const data = await api.get('/api/backfills');
    if (mine !== gen) return;
    const backfills = data.backfills || [];
    fill(list, backfills.length === 0
      ? h('p', { class: 'empty' }, 'No backfills yet.')
      : backfills.map((b) => backfillCard(b, String(b.id) === String(highlightId))));
  }

  function backfillCard(b, highlighted) {
    const dates = b.dates || [];
    const failed = dates.filter((d) => d.status === 'failed' || d.status === 'cancelled').length;
    const done = dates.filter((d) => d.status === 'succeeded').length;
    const retry = h('button', { type: 'button', class: 'retry-failed', onclick: (e) => retryFailed(b.id, e.target) }, `Retry failed (${failed})`);
    return h('article', { id: `backfill-${b.id}`, class: `backfill${highlighted ? ' highlight' : ''}`, dataset: { status: b.status } },
      h('header', {},
        h('strong', {}, `Backfill #${b.id}`), ' ', b.job, ' ', `${b.from} → ${b.to}`, ' ', badge(b.status),
        h('span', { class: 'muted' }, ` ${done}/${dates.length} succeeded · created `, time(b.created_at)),
        failed > 0 ? [' ', retry] : null),
      h('div', { class: 'strip', role: 'list' }, dates.map((d) =>
        h('a', {
          role: 'listitem',
          class: `bf-cell status-${d.status}`,
          href: d.run_id != null ? `#/runs/${d.run_id}` : null,
          title: `${d.date}: ${d.status}${d.run_id != null ? ` (run #${d.run_id})` : ''}`,
          dataset: { date: d.date, status: d.status, runId: d.run_id ?? '' },
        }, d.date.slice(5)))));
  }

  async function retryFailed(id, button) {
    const result = await app.act(button, () => api.post(`/api/backfills/${encodeURIComponent(id)}/retry-failed`));
    if (result) app.notify(`Backfill #${id}: ${(result.run_ids || []).length} retry run(s) queued.`);
  }

  const el = h('section', { class: 'panel' },
    h('h2', {}, 'Backfills'),
    h('p', { class: 'muted' }, 'One run per date, queued behind each other.'),
    form,
    list);
  return { el, refresh, stop() { gen++; } };
}

export function backfillsView(root, { params }, app) {
  const panel = backfillPanel(app, params[0]);
  fill(root, h('h1', {}, 'Backfills'), panel.el);
  let scrolled = false;
  return {
    async refresh() {
      await panel.refresh();
      const target = params[0] && document.getElementById(`backfill-${params[0]}`);
      if (target && !scrolled) {
        target.scrollIntoView({ block: 'nearest' });
        scrolled = true;
      }
    },
    unmount: panel.stop,
  };
}

export function field(id, label, input) {
  return h('span', { class: 'field' }, h('label', { for: id }, label), input);
}
