// Runs (home): the run history, newest first, with filters and "load more".
import * as api from '../api.js';
import { badge, fill, h, runLink, seconds, table, time } from '../dom.js';

const STATUSES = ['queued', 'running', 'succeeded', 'failed', 'cancelled', 'skipped'];
const TRIGGERS = ['schedule', 'sensor', 'manual', 'backfill', 'retry', 'dependency'];
const PAGE = 50;

export function runsView(root, { query }, app) {
  const filters = { job: query.get('job') || '', status: query.get('status') || '', trigger: query.get('trigger') || '' };
  let runs = []; // newest first: the first page, refreshed on every tick, plus older pages loaded by hand
  let nextBeforeId = null;
  let olderLoaded = false;
  let gen = 0;

  const jobSelect = select('filter-job', 'Job', ['ingest', 'mart'], filters.job);
  const statusSelect = select('filter-status', 'Status', STATUSES, filters.status);
  const triggerSelect = select('filter-trigger', 'Trigger', TRIGGERS, filters.trigger);
  const list = h('div', { id: 'runs-table' }, h('p', { class: 'empty' }, 'Loading…'));
  const more = h('button', { type: 'button', id: 'load-more', hidden: true, onclick: loadMore }, 'Load more');

  for (const [key, sel] of [['job', jobSelect], ['status', statusSelect], ['trigger', triggerSelect]]) {
    sel.querySelector('select').addEventListener('change', (e) => {
      filters[key] = e.target.value;
      const q = api.query('', filters).replace(/^\?/, '');
      history.replaceState(null, '', `#/runs${q ? `?${q}` : ''}`);
      runs = [];
      olderLoaded = false;
      refresh().then(() => app.clearError(), (err) => app.error(err));
    });
  }

  fill(root,
    h('h1', {}, 'Runs'),
    h('form', { class: 'filters', onsubmit: (e) => e.preventDefault() }, jobSelect, statusSelect, triggerSelect),
    list,
    h('p', {}, more));

  // Fill the job filter from the server's job list (ingest and mart until it answers).
  api.get('/api/jobs').then((data) => {
    const names = (data.jobs || []).map((j) => j.name);
    const sel = jobSelect.querySelector('select');
    fill(sel, h('option', { value: '' }, 'any'), names.map((n) => h('option', { value: n }, n)));
    sel.value = filters.job;
  }).catch(() => {});

  async function refresh() {
    const mine = ++gen;
    const page = await api.get(api.query('/api/runs', { ...filters, limit: PAGE }));
    if (mine !== gen) return;
    const fresh = page.runs || [];
    // Keep the older pages the user loaded; the first page replaces whatever it covers.
    const oldest = fresh.length ? fresh[fresh.length - 1].id : Infinity;
    const older = olderLoaded ? runs.filter((r) => r.id < oldest) : [];
    runs = fresh.concat(older);
    if (!olderLoaded) nextBeforeId = page.next_before_id ?? null;
    render();
  }

  async function loadMore() {
    if (nextBeforeId == null) return;
    await app.act(more, async () => {
      const page = await api.get(api.query('/api/runs', { ...filters, limit: PAGE, before_id: nextBeforeId }));
      const known = new Set(runs.map((r) => r.id));
      runs = runs.concat((page.runs || []).filter((r) => !known.has(r.id)));
      nextBeforeId = page.next_before_id ?? null;
      olderLoaded = true;
      render();
    });
  }

  function render() {
    fill(list, runsTable(runs));
    more.hidden = nextBeforeId == null;
  }

  return { refresh, unmount() { gen++; } };
}

/** The runs table, also used by other views (a partition's runs). */
export function runsTable(runs, empty = 'No runs match.') {
  return table(
    ['Run', 'Job', 'Trigger', 'Status', 'Attempt', 'Queued', 'Started', 'Duration', 'Message'],
    runs.map((r) => h('tr', { 'data-run-id': r.id },
      h('td', {}, runLink(r.id)),
      h('td', {}, r.job),
      h('td', {}, r.trigger, r.backfill_id != null ? [' ', h('a', { href: `#/backfills/${r.backfill_id}` }, `(backfill ${r.backfill_id})`)] : null),
      h('td', {}, badge(r.status), r.not_before && r.status === 'queued' ? h('small', { class: 'muted' }, ' waits') : null),
      h('td', { class: 'num' }, `${r.attempt ?? 1}/${r.max_attempts ?? 1}`),
      h('td', {}, time(r.queued_at)),
      h('td', {}, time(r.started_at)),
      h('td', { class: 'num' }, seconds(r.duration_seconds)),
      h('td', { class: 'message' }, r.message ?? ''))),
    empty);
}

function select(id, label, values, selected) {
  const sel = h('select', { id }, h('option', { value: '' }, 'any'), values.map((v) => h('option', { value: v }, v)));
  sel.value = selected;
  return h('span', { class: 'field' }, h('label', { for: id }, label), sel);
}
