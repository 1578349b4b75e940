// Partitions: the mart's per-date state as a strip of cells (one per date, grouped by month), a legend,
// and for a clicked date its runs and a "Rebuild" button.
import * as api from '../api.js';
import { fill, h } from '../dom.js';
import { runsTable } from './runs.js';

const STATES = [
  ['up_to_date', 'up to date'],
  ['stale', 'stale (raw changed since)'],
  ['missing', 'missing'],
  ['failed', 'failed'],
  ['running', 'running'],
];

export function partitionsView(root, _route, app) {
  let gen = 0;
  let dates = [];
  let selected = null;
  const strip = h('div', { id: 'partitions' }, h('p', { class: 'empty' }, 'Loading…'));
  const detail = h('section', { id: 'partition-detail', class: 'panel', hidden: true });

  fill(root,
    h('h1', {}, 'Partitions'),
    h('section', { class: 'panel' },
      h('h2', {}, 'marts.daily_sales_summary by sale date'),
      h('ul', { class: 'legend', 'aria-label': 'Legend' }, STATES.map(([state, label]) =>
        h('li', {}, h('span', { class: `swatch state-${state}`, 'aria-hidden': 'true' }), label))),
      strip),
    detail);

  async function refresh() {
    const mine = ++gen;
    const data = await api.get('/api/partitions');
    if (mine !== gen) return;
    dates = data.dates || [];
    renderStrip();
    if (selected) await renderDetail(mine);
  }

  function renderStrip() {
    if (dates.length === 0) {
      fill(strip, h('p', { class: 'empty' }, 'No dates: raw holds no events yet.'));
      return;
    }
    const months = new Map();
    for (const d of dates) {
      const month = d.date.slice(0, 7);
      if (!months.has(month)) months.set(month, []);
      months.get(month).push(d);
    }
    fill(strip, [...months].map(([month, days]) =>
      h('div', { class: 'month' },
        h('span', { class: 'month-label' }, month),
        h('div', { class: 'strip' }, days.map((d) =>
          h('button', {
            type: 'button',
            class: `cell state-${d.state}${d.date === selected ? ' selected' : ''}`,
            title: `${d.date}: ${d.state.replaceAll('_', ' ')}`,
            'aria-label': `${d.date}: ${d.state.replaceAll('_', ' ')}`,
            'aria-pressed': d.date === selected ? 'true' : 'false',
            dataset: { date: d.date, state: d.state },
            onclick: () => select(d.date),
          }, d.date.slice(8)))))));
  }

  async function select(date) {
    selected = date;
    renderStrip();
    try {
      await renderDetail(gen);
    } catch (e) {
      app.error(e);
    }
  }

  async function renderDetail(mine) {
    const date = selected;
    const d = dates.find((x) => x.date === date);
    const data = await api.get(api.query('/api/runs', { job: 'mart', limit: 200 }));
    if (mine !== gen || date !== selected) return;
    // A mart run with no dates (changed since the last run) may have rebuilt this date too: its
    // summary says which dates it did.
    const runs = (data.runs || []).filter((r) => {
      const asked = r.params && Array.isArray(r.params.dates) ? r.params.dates : [];
      const done = r.summary && Array.isArray(r.summary.dates) ? r.summary.dates : [];
      return asked.includes(date) || done.includes(date);
    });
    const rebuild = h('button', { type: 'button', id: 'rebuild', onclick: (e) => rebuildDate(date, e.target) }, `Rebuild ${date}`);
    detail.hidden = false;
    fill(detail,
      h('div', { class: 'title-row' }, h('h2', {}, date, ' ', h('span', { class: `badge state-${d ? d.state : 'missing'}` }, d ? d.state.replaceAll('_', ' ') : 'gone')), rebuild),
      d ? h('p', { class: 'muted' }, `mart built from raw snapshot ${d.mart_raw_snapshot_id ?? '—'}; raw's newest snapshot with this date: ${d.newest_raw_snapshot_id ?? '—'}`) : null,
      runsTable(runs, 'No mart run for this date in the last 200 mart runs.'));
  }

  async function rebuildDate(date, button) {
    const created = await app.act(button, () => api.post('/api/jobs/mart/runs', { dates: [date] }));
    if (created) app.notify(`Rebuilding ${date}:`, `#/runs/${created.id}`, `run #${created.id}`);
  }

  return { refresh, unmount() { gen++; } };
}
