// Sales dashboard: the Daily view (marts.daily_sales_summary over a date range), the Live view
// (raw.pos_transactions of one UTC day, refreshed every 5 s) and the Quality view (dead letters,
// duplicates, late rows and the console's mart reconciliation per date) and the Stock view
// (marts.daily_inventory: stockouts, low cover of the top sellers, shrink by store). Money arrives as exact decimal
// strings and is shown as such (grouped, never through a float). Charts are ECharts, served from
// the console's own jar (/webjars/), rendered to canvas with canvas tooltips (no HTML from data).
import * as api from '../api.js';
import { fill, h, number, runLink, table, time } from '../dom.js';

const ECHARTS_SRC = 'webjars/echarts/5.3.1/dist/echarts.min.js';
let echartsLoading = null;

/** Loads ECharts once; resolves to window.echarts, or null if it cannot be loaded. */
function loadCharts() {
  if (window.echarts) return Promise.resolve(window.echarts);
  if (!echartsLoading) {
    echartsLoading = new Promise((resolve) => {
      const script = document.createElement('script');
      script.src = ECHARTS_SRC;
      script.onload = () => resolve(window.echarts || null);
      script.onerror = () => resolve(null);
      document.head.append(script);
    });
  }
  return echartsLoading;
}

/** "12345.60" -> "12,345.60" (string arithmetic: exact). */
export function money(s) {
  if (s == null) return '—';
  const text = String(s);
  const negative = text.startsWith('-');
  const [whole, cents = '00'] = (negative ? text.slice(1) : text).split('.');
  return `${negative ? '-' : ''}${whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}.${cents}`;
}

function signed(s) {
  if (s == null) return '—';
  const text = String(s);
  return text.startsWith('-') ? text : `+${text}`;
}

function tabs(active) {
  return h('nav', { class: 'dash-tabs', 'aria-label': 'Dashboard views' },
    h('a', { href: '#/dashboard/live', 'aria-current': active === 'live' ? 'page' : null }, 'Live'),
    h('a', { href: '#/dashboard/daily', 'aria-current': active === 'daily' ? 'page' : null }, 'Daily'),
    h('a', { href: '#/dashboard/quality', 'aria-current': active === 'quality' ? 'page' : null }, 'Quality'),
    h('a', { href: '#/dashboard/stock', 'aria-current': active === 'stock' ? 'page' : null }, 'Stock'));
}

function kpi(id, label) {
  const value = h('div', { class: 'kpi-value', id }, '…');
  const note = h('div', { class: 'kpi-note', id: `${id}-note` });
  return { el: h('div', { class: 'kpi' }, h('div', { class: 'kpi-label' }, label), value, note), value, note };
}

function setKpi(tile, text, raw, note) {
  tile.value.textContent = text;
  tile.value.dataset.value = raw == null ? '' : String(raw);
  fill(tile.note, note || '');
}

/** A chart in el, made once ECharts has loaded; resizes with the window; falls back to text. */
function chart(el) {
  let instance = null;
  let pending = null;
  let gone = false;
  const onResize = () => instance && instance.resize();
  loadCharts().then((echarts) => {
    if (gone) return;
    if (!echarts) {
      fill(el, h('p', { class: 'inline-error' }, 'The chart library could not be loaded.'));
      return;
    }
    instance = echarts.init(el, null, { renderer: 'canvas' });
    window.addEventListener('resize', onResize);
    if (pending) instance.setOption(pending, true);
  });
  return {
    set(option) {
      pending = option;
      if (instance) instance.setOption(option, true);
    },
    dispose() {
      gone = true;
      window.removeEventListener('resize', onResize);
      if (instance) instance.dispose();
    },
  };
}

const TOOLTIP = { trigger: 'axis', renderMode: 'richText' };
const GRID = { left: 64, right: 16, top: 24, bottom: 32, containLabel: false };

// --- Daily -----------------------------------------------------------------------------------

export function dailyView(root, route, app) {
  let gen = 0;
  const q = route.query;
  const from = h('input', { id: 'dash-from', type: 'date', value: q.get('from') || '' });
  const to = h('input', { id: 'dash-to', type: 'date', value: q.get('to') || '' });
  const store = h('input', { id: 'dash-store', type: 'text', placeholder: 'all stores', size: 10, value: q.get('store') || '' });
  const category = h('input', { id: 'dash-category', type: 'text', placeholder: 'all categories', size: 12, value: q.get('category') || '' });
  const csv = h('a', { id: 'dash-csv', class: 'button-link', download: '' }, 'Download CSV');
  const productsCsv = h('a', { id: 'dash-products-csv', class: 'button-link', download: '' }, 'CSV (all products)');
  const categoriesCsv = h('a', { id: 'dash-categories-csv', class: 'button-link', download: '' }, 'CSV (all categories)');
  const form = h('form', { class: 'dash-form', id: 'dash-range' },
    h('label', {}, 'From ', from), h('label', {}, 'To ', to), h('label', {}, 'Store ', store),
    h('label', {}, 'Category ', category),
    h('button', { type: 'submit', id: 'dash-apply' }, 'Apply'), csv);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    app.navigate(api.query('#/dashboard/daily',
      { from: from.value, to: to.value, store: store.value.trim(), category: category.value.trim() }));
  });
  const tiles = {
    revenue: kpi('kpi-revenue', 'Net revenue'),
    gross: kpi('kpi-gross', 'Gross sales'),
    returns: kpi('kpi-returns', 'Returns'),
    units: kpi('kpi-units', 'Units'),
    transactions: kpi('kpi-transactions', 'Transactions (per product)'),
  };
  const source = h('p', { class: 'muted', id: 'dash-source' });
  const uncategorized = h('p', { class: 'muted', id: 'dash-uncategorized' });
  const chartEl = h('div', { class: 'chart', id: 'chart-daily', role: 'img', 'aria-label': 'Net revenue by day' });
  const top = h('div', { id: 'top-products' });
  const topCategories = h('div', { id: 'top-categories' });
  const stores = h('div', { id: 'store-days' });
  fill(root,
    h('div', { class: 'title-row' }, h('h1', {}, 'Sales dashboard'), tabs('daily')),
    h('section', { class: 'panel' }, form, source, uncategorized),
    h('div', { class: 'kpis', id: 'kpis' }, Object.values(tiles).map((t) => t.el)),
    h('section', { class: 'panel' }, h('h2', {}, 'Net revenue by day'), chartEl),
    h('div', { class: 'grid' },
      h('section', { class: 'panel' }, h('div', { class: 'title-row' }, h('h2', {}, 'Top 10 products'), productsCsv), top),
      h('section', { class: 'panel' }, h('div', { class: 'title-row' }, h('h2', {}, 'Top 10 categories'), categoriesCsv), topCategories)),
    h('section', { class: 'panel' }, h('h2', {}, 'Revenue by store and day'), stores));
  const lineChart = chart(chartEl);

  async function refresh() {
    const mine = ++gen;
    const params = { from: q.get('from') || '', to: q.get('to') || '', store: q.get('store') || '', category: q.get('category') || '' };
    const data = await api.get(api.query('/api/dashboard/daily', params));
    if (mine !== gen) return;
    if (document.activeElement !== from) from.value = data.from;
    if (document.activeElement !== to) to.value = data.to;
    const csvParams = { from: data.from, to: data.to, store: data.store || '', category: data.category || '' };
    csv.href = api.query('/api/dashboard/daily.csv', csvParams);
    productsCsv.href = api.query('/api/dashboard/daily.csv', { ...csvParams, table: 'products' });
    categoriesCsv.href = api.query('/api/dashboard/daily.csv', { ...csvParams, table: 'categories' });
    fill(source, `${data.from} to ${data.to}${data.store ? ` · store ${data.store}` : ' · all stores'}`
      + `${data.category ? ` · category ${data.category}` : ' · all categories'} · from `,
      h('code', {}, data.source), data.mart_snapshot_id == null ? ' (no mart snapshot yet: run the mart)' : ` snapshot ${data.mart_snapshot_id}`,
      ` · compared with ${data.previous.from} to ${data.previous.to}`);
    const without = data.days_without_category || [];
    fill(uncategorized, without.length === 0 ? '' : `${without.length} day(s) of this range (${without[0]}`
      + `${without.length > 1 ? ` … ${without[without.length - 1]}` : ''}) were built before the mart had a category column: `
      + `they count in the totals without a category filter, never under a category. Rebuild them with `,
    without.length === 0 ? '' : h('code', {}, `./lakehouse mart --from ${without[0]} --to ${without[without.length - 1]}`),
    without.length === 0 ? '' : '.');
    const t = data.totals;
    const c = data.change;
    setKpi(tiles.revenue, money(t.revenue), t.revenue,
      `${signed(money(c.revenue))}${c.revenue_pct != null ? ` (${signed(c.revenue_pct)} %)` : ''} vs previous`);
    setKpi(tiles.gross, money(t.gross), t.gross, `${signed(money(c.gross))} vs previous`);
    setKpi(tiles.returns, money(t.returns), t.returns, `${signed(money(c.returns))} vs previous`);
    setKpi(tiles.units, number(t.units), t.units, `${signed(String(c.units))} vs previous`);
    setKpi(tiles.transactions, number(t.transactions), t.transactions, `${signed(String(c.transactions))} vs previous`);
    lineChart.set({
      animation: false,
      tooltip: TOOLTIP,
      grid: GRID,
      xAxis: { type: 'category', data: data.by_day.map((d) => d.sale_date) },
      yAxis: { type: 'value' },
      series: [{ name: 'Net revenue', type: 'line', showSymbol: true, data: data.by_day.map((d) => (d.has_data ? Number(d.revenue) : null)) }],
    });
    fill(top, table(['Product', 'Revenue', 'Units'],
      data.top_products.map((p) => h('tr', {}, h('td', {}, p.product), h('td', { class: 'num' }, money(p.revenue)), h('td', { class: 'num' }, number(p.units)))),
      'No sales in this range.'));
    fill(topCategories, table(['Category', 'Revenue', 'Units'],
      data.top_categories.map((p) => h('tr', {}, h('td', {}, p.category), h('td', { class: 'num' }, money(p.revenue)), h('td', { class: 'num' }, number(p.units)))),
      'No categorised sales in this range.'));
    fill(stores, table(['Date', 'Store', 'Revenue', 'Gross', 'Returns', 'Units'],
      data.by_store_day.map((r) => h('tr', {},
        h('td', {}, r.sale_date), h('td', {}, r.store_id),
        h('td', { class: 'num' }, money(r.revenue)), h('td', { class: 'num' }, money(r.gross)),
        h('td', { class: 'num' }, money(r.returns)), h('td', { class: 'num' }, number(r.units)))),
      'No sales in this range.'));
  }

  return { refresh, unmount: () => lineChart.dispose() };
}

// --- Live ------------------------------------------------------------------------------------

const SVG = 'http://www.w3.org/2000/svg';

/**
 * A store's revenue per UTC hour as an inline SVG line (no axes: its shape only; the title tells
 * the peak). Values are exact decimal strings; drawing is the only place they become numbers.
 */
export function sparkline(hours, label) {
  const width = 96;
  const height = 20;
  const values = hours.map(Number);
  const max = Math.max(0, ...values);
  const min = Math.min(0, ...values);
  const span = max - min || 1;
  const step = width / Math.max(1, values.length - 1);
  const points = values.map((v, i) => `${(i * step).toFixed(1)},${(height - 1 - ((v - min) / span) * (height - 2)).toFixed(1)}`);
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('class', 'sparkline');
  svg.setAttribute('width', String(width));
  svg.setAttribute('height', String(height));
  svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
  svg.setAttribute('role', 'img');
  const peak = values.indexOf(Math.max(...values)); // the highest hour, negative or not
  svg.setAttribute('aria-label', `${label}: revenue per hour, peak ${money(hours[peak])} at ${String(peak).padStart(2, '0')}:00 UTC`);
  const title = document.createElementNS(SVG, 'title');
  title.textContent = svg.getAttribute('aria-label');
  const line = document.createElementNS(SVG, 'polyline');
  line.setAttribute('points', points.join(' '));
  line.setAttribute('fill', 'none');
  line.setAttribute('stroke', 'currentColor');
  line.setAttribute('stroke-width', '1.5');
  svg.append(title, line);
  return svg;
}

function todayUtc() {
  return new Date().toISOString().slice(0, 10);
}

export function liveView(root, route, app) {
  let gen = 0;
  const q = route.query;
  const date = h('input', { id: 'live-date', type: 'date', value: q.get('date') || todayUtc() });
  const store = h('input', { id: 'live-store', type: 'text', size: 8, placeholder: 'all stores', value: q.get('store') || '' });
  const category = h('input', { id: 'live-category', type: 'text', size: 12, placeholder: 'all categories', value: q.get('category') || '' });
  const go = () => app.navigate(api.query('#/dashboard/live',
    { date: date.value, store: store.value.trim(), category: category.value.trim() }));
  for (const input of [date, store, category]) input.addEventListener('change', go);
  const asOf = h('span', { id: 'live-as-of' }, '…');
  const lag = h('span', { id: 'live-lag' }, '…');
  const tiles = {
    revenue: kpi('live-revenue', 'Revenue so far'),
    transactions: kpi('live-transactions', 'Transactions'),
    basket: kpi('live-basket', 'Average basket'),
    units: kpi('live-units', 'Units'),
    returns: kpi('live-returns', 'Returns'),
    deadLetters: kpi('live-dead-letters', 'Dead-letter rate'),
  };
  const chartEl = h('div', { class: 'chart', id: 'chart-live', role: 'img', 'aria-label': 'Revenue per 15 minutes' });
  const products = h('div', { id: 'live-products' });
  const categories = h('div', { id: 'live-categories' });
  const stores = h('div', { id: 'live-stores' });
  fill(root,
    h('div', { class: 'title-row' }, h('h1', {}, 'Sales dashboard'), tabs('live')),
    h('section', { class: 'panel dash-form' }, h('label', {}, 'Day (UTC) ', date),
      h('label', {}, 'Store ', store), h('label', {}, 'Category ', category),
      h('span', { class: 'muted' }, 'Data as of ', asOf, ' · lag to Kafka ', lag, ' · refreshes every 5 s')),
    h('div', { class: 'kpis', id: 'live-kpis' }, Object.values(tiles).map((t) => t.el)),
    h('section', { class: 'panel' }, h('h2', {}, 'Revenue per 15 minutes (UTC)'), chartEl),
    h('div', { class: 'grid grid-3' },
      h('section', { class: 'panel' }, h('h2', {}, 'Top 10 products'), products),
      h('section', { class: 'panel' }, h('h2', {}, 'Top 10 categories'), categories),
      h('section', { class: 'panel' }, h('h2', {}, 'Revenue per store'), stores)));
  const barChart = chart(chartEl);

  const rows = (list, key) => list.map((r) => h('tr', {}, h('td', {}, r[key]),
    h('td', { class: 'num' }, money(r.revenue)), h('td', { class: 'num' }, number(r.units))));

  async function refresh() {
    const mine = ++gen;
    const data = await api.get(api.query('/api/dashboard/live',
      { date: q.get('date') || '', store: q.get('store') || '', category: q.get('category') || '' }));
    if (mine !== gen) return;
    if (document.activeElement !== date) date.value = data.date;
    fill(asOf, data.data_as_of ? time(data.data_as_of) : 'never (raw has no snapshot)');
    const t = data.totals;
    setKpi(tiles.revenue, money(t.revenue), t.revenue, `gross ${money(t.gross)}`);
    setKpi(tiles.transactions, number(t.transactions), t.transactions, `${number(t.lines)} lines`);
    setKpi(tiles.basket, money(t.average_basket), t.average_basket, 'revenue / transactions');
    setKpi(tiles.units, number(t.units), t.units, t.duplicates_dropped ? `${number(t.duplicates_dropped)} re-sent copies dropped` : '');
    setKpi(tiles.returns, money(t.returns), t.returns, 'refunded');
    barChart.set({
      animation: false,
      tooltip: TOOLTIP,
      grid: GRID,
      xAxis: { type: 'category', data: data.per_15_minutes.map((b) => b.start) },
      yAxis: { type: 'value' },
      series: [{ name: 'Revenue', type: 'bar', data: data.per_15_minutes.map((b) => Number(b.revenue)) }],
    });
    fill(products, table(['Product', 'Revenue', 'Units'], rows(data.top_products, 'product'), 'No sales yet.'));
    fill(categories, table(['Category', 'Revenue', 'Units'], rows(data.top_categories, 'category'), 'No sales yet.'));
    fill(stores, table(['Store', 'Revenue', 'Units', 'Per hour'],
      data.by_store.map((r) => h('tr', {}, h('td', {}, r.store_id),
        h('td', { class: 'num' }, money(r.revenue)), h('td', { class: 'num' }, number(r.units)),
        h('td', {}, sparkline(r.per_hour, r.store_id)))),
      'No sales yet.'));
    const dl = data.dead_letters;
    setKpi(tiles.deadLetters, dl.rate_pct == null ? '—' : `${dl.rate_pct} %`, dl.rate_pct,
      `${number(dl.count)} rejected this day (all stores)`);
    refreshLag(mine);
  }

  /** The topic's messages not yet in the tables: fetched beside the view, never holding it up. */
  async function refreshLag(mine) {
    let text;
    try {
      const kafka = await api.get('/api/kafka/lag');
      text = kafka.lag == null ? `unknown (${kafka.error})` : `${number(kafka.lag)} messages`;
    } catch (e) {
      text = `unknown (${e.message})`;
    }
    if (mine === gen) fill(lag, text);
  }

  return { refresh, unmount: () => barChart.dispose(), refreshMs: 5000 };
}

// --- Quality ---------------------------------------------------------------------------------

const RECONCILIATION_CLASS = { ok: 'succeeded', failed: 'failed', not_checked: 'cancelled' };

export function qualityView(root, route, app) {
  let gen = 0;
  const q = route.query;
  const from = h('input', { id: 'quality-from', type: 'date', value: q.get('from') || '' });
  const to = h('input', { id: 'quality-to', type: 'date', value: q.get('to') || '' });
  const csv = h('a', { id: 'quality-csv', class: 'button-link', download: '' }, 'Download dead letters (CSV)');
  const form = h('form', { class: 'dash-form', id: 'quality-range' },
    h('label', {}, 'From ', from), h('label', {}, 'To ', to),
    h('button', { type: 'submit', id: 'quality-apply' }, 'Apply'), csv);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    app.navigate(api.query('#/dashboard/quality', { from: from.value, to: to.value }));
  });
  const tiles = {
    deadLetters: kpi('quality-dead-letters', 'Dead letters'),
    duplicates: kpi('quality-duplicates', 'Duplicates dropped'),
    late: kpi('quality-late', 'Late rows'),
    reconciled: kpi('quality-reconciled', 'Dates reconciled'),
  };
  const source = h('p', { class: 'muted', id: 'quality-source' });
  const chartEl = h('div', { class: 'chart', id: 'chart-dead-letters', role: 'img', 'aria-label': 'Dead letters by reason per day' });
  const deadLetters = h('div', { id: 'quality-dead-letter-table' });
  const ingest = h('div', { id: 'quality-ingest-table' });
  const dates = h('div', { id: 'quality-dates' });
  fill(root,
    h('div', { class: 'title-row' }, h('h1', {}, 'Sales dashboard'), tabs('quality')),
    h('section', { class: 'panel' }, form, source),
    h('div', { class: 'kpis', id: 'quality-kpis' }, Object.values(tiles).map((t) => t.el)),
    h('section', { class: 'panel' }, h('h2', {}, 'Dead letters by reason per day (UTC day of failed_at)'), chartEl),
    h('section', { class: 'panel' }, h('h2', {}, 'Per sale date'),
      h('p', { class: 'muted' }, 'Late rows: raw rows of the date committed after the raw snapshot of the mart\'s first build of it (they made it be re-built). '
        + 'Copies in raw: rows beyond the first of each line, dropped by the mart. Reconciliation: the console\'s newest mart check of the date.'),
      dates),
    h('div', { class: 'grid' },
      h('section', { class: 'panel' }, h('h2', {}, 'Dead letters per day'), deadLetters),
      h('section', { class: 'panel' }, h('h2', {}, 'Duplicates dropped by ingest per commit day'),
        h('p', { class: 'muted' }, 'Per raw commit: Kafka offsets it moved past − rows it added − dead letters at those offsets.'),
        ingest)));
  const barChart = chart(chartEl);

  async function refresh() {
    const mine = ++gen;
    const data = await api.get(api.query('/api/dashboard/quality', { from: q.get('from') || '', to: q.get('to') || '' }));
    if (mine !== gen) return;
    if (document.activeElement !== from) from.value = data.from;
    if (document.activeElement !== to) to.value = data.to;
    csv.href = api.query('/api/dashboard/quality.csv', { from: data.from, to: data.to });
    fill(source, `${data.from} to ${data.to} (UTC) · snapshots: raw ${data.raw_snapshot_id ?? '—'}, `
      + `dead letters ${data.dead_letter_snapshot_id ?? '—'}, mart ${data.mart_snapshot_id ?? '—'}`);
    const t = data.totals;
    const reasons = Object.entries(t.dead_letters_by_reason).map(([r, n]) => `${r} ${number(n)}`).join(' · ');
    setKpi(tiles.deadLetters, number(t.dead_letters), t.dead_letters, reasons || 'none');
    const unsure = t.ingest_commits_pending + t.ingest_commits_not_counted;
    setKpi(tiles.duplicates, number(t.duplicates_dropped), t.duplicates_dropped,
      `${number(t.duplicates_dropped_by_ingest)} by ingest, ${number(t.duplicate_copies_in_raw)} copies in raw`
      + (unsure ? ` · ${number(unsure)} commits not counted yet` : ''));
    setKpi(tiles.late, number(t.late_rows), t.late_rows, 'rows committed after their date was built');
    const r = t.reconciliation;
    setKpi(tiles.reconciled, `${number(r.ok)} ok`, r.ok, `${number(r.failed)} failed · ${number(r.not_checked)} not checked`);
    barChart.set({
      animation: false,
      tooltip: TOOLTIP,
      legend: { top: 0, type: 'scroll' },
      grid: { ...GRID, top: 36 },
      xAxis: { type: 'category', data: data.dead_letters_by_day.map((d) => d.day) },
      yAxis: { type: 'value', minInterval: 1 },
      series: data.reasons.map((reason) => ({
        name: reason, type: 'bar', stack: 'dead', data: data.dead_letters_by_day.map((d) => d.by_reason[reason] || 0),
      })),
    });
    const withDeadLetters = data.dead_letters_by_day.filter((d) => d.total > 0).reverse();
    fill(deadLetters, table(['Day', 'Reason', 'Dead letters'],
      withDeadLetters.flatMap((d) => Object.entries(d.by_reason).map(([reason, n]) => h('tr', {},
        h('td', {}, d.day), h('td', {}, reason), h('td', { class: 'num' }, number(n))))),
      'No dead letters in this range.'));
    fill(ingest, table(['Day', 'Duplicates dropped', 'Raw commits', 'Not counted'],
      data.ingest_duplicates_by_day.filter((d) => d.commits > 0).reverse().map((d) => h('tr', {},
        h('td', {}, d.day), h('td', { class: 'num' }, number(d.duplicates_dropped)), h('td', { class: 'num' }, number(d.commits)),
        h('td', { class: 'num', title: 'pending: the dead-letter table is behind; not counted: history expired, recovered position or offsets lost to retention' },
          number(d.commits_pending + d.commits_not_counted)))),
      'No raw commits in this range.'));
    const shown = data.dates.filter((d) => d.raw_rows > 0 || d.mart_builds > 0 || d.reconciliation.run_id != null).reverse();
    fill(dates, table(['Date', 'Raw rows', 'Copies in raw', 'Mart builds', 'Late rows', 'Late, not in mart yet', 'Reconciliation', 'Run'],
      shown.map((d) => h('tr', { dataset: { date: d.date } },
        h('td', {}, d.date), h('td', { class: 'num' }, number(d.raw_rows)),
        h('td', { class: 'num' }, number(d.duplicate_copies_in_raw)), h('td', { class: 'num' }, number(d.mart_builds)),
        h('td', { class: 'num late-rows' }, d.late_rows == null ? (d.mart_builds ? 'unknown' : '—') : number(d.late_rows)),
        h('td', { class: 'num' }, d.late_rows_not_in_mart == null ? '—' : number(d.late_rows_not_in_mart)),
        h('td', { title: d.reconciliation.detail }, h('span', { class: `badge status-${RECONCILIATION_CLASS[d.reconciliation.status]}` },
          d.reconciliation.status.replace('_', ' '))),
        h('td', {}, runLink(d.reconciliation.run_id)))),
      'Nothing in raw or the mart for this range.'));
  }

  return { refresh, unmount: () => barChart.dispose() };
}

// --- Stock -----------------------------------------------------------------------------------

export function stockView(root, route, app) {
  let gen = 0;
  const q = route.query;
  const date = h('input', { id: 'stock-date', type: 'date', value: q.get('date') || '' });
  const store = h('select', { id: 'stock-store' }, h('option', { value: '' }, 'All stores'));
  const from = h('input', { id: 'stock-from', type: 'date', value: q.get('from') || '' });
  const to = h('input', { id: 'stock-to', type: 'date', value: q.get('to') || '' });
  const form = h('form', { class: 'dash-form', id: 'stock-query' },
    h('label', {}, 'Stock date ', date), h('label', {}, 'Store ', store),
    h('label', {}, 'Shrink from ', from), h('label', {}, 'to ', to),
    h('button', { type: 'submit', id: 'stock-apply' }, 'Apply'));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    app.navigate(api.query('#/dashboard/stock', { date: date.value, store: store.value, from: from.value, to: to.value }));
  });
  const tiles = {
    out: kpi('stock-out', 'SKUs out of stock'),
    negative: kpi('stock-negative', 'Negative stock'),
    lowCover: kpi('stock-low-cover', 'Top sellers under 3 days of cover'),
    shrink: kpi('stock-shrink', 'Shrink value'),
  };
  const source = h('p', { class: 'muted', id: 'stock-source' });
  const missing = h('p', { class: 'inline-error', id: 'stock-missing', hidden: true });
  const stockouts = h('div', { id: 'stock-stockouts' });
  const lowCover = h('div', { id: 'stock-low-cover-table' });
  const shrink = h('div', { id: 'stock-shrink-table' });
  const body = h('div', { id: 'stock-body' },
    h('div', { class: 'kpis', id: 'stock-kpis' }, Object.values(tiles).map((t) => t.el)),
    h('section', { class: 'panel' }, h('h2', {}, 'Stockouts by store'),
      h('p', { class: 'muted' }, 'SKUs whose closing stock is at or below zero on the stock date; negative stock (books below zero) is shown as it is.'),
      stockouts),
    h('div', { class: 'grid' },
      h('section', { class: 'panel' }, h('h2', {}, 'Low cover of the top sellers'),
        h('p', { class: 'muted', id: 'stock-low-cover-note' }), lowCover),
      h('section', { class: 'panel' }, h('h2', {}, 'Shrink by store'),
        h('p', { class: 'muted', id: 'stock-shrink-note' }), shrink)));
  fill(root,
    h('div', { class: 'title-row' }, h('h1', {}, 'Sales dashboard'), tabs('stock')),
    h('section', { class: 'panel' }, form, source, missing),
    body);

  async function refresh() {
    const mine = ++gen;
    const data = await api.get(api.query('/api/dashboard/stock', {
      date: q.get('date') || '', store: q.get('store') || '', from: q.get('from') || '', to: q.get('to') || '',
    }));
    if (mine !== gen) return;
    if (data.missing) { // one line: run ./lakehouse mart --mart inventory
      missing.textContent = data.missing;
      missing.hidden = false;
      body.hidden = true;
      fill(source, '');
      return;
    }
    missing.hidden = true;
    body.hidden = false;
    if (document.activeElement !== date) date.value = data.date;
    if (document.activeElement !== from) from.value = data.shrink.from;
    if (document.activeElement !== to) to.value = data.shrink.to;
    if (document.activeElement !== store) {
      fill(store, h('option', { value: '' }, 'All stores'), data.stores.map((s) => h('option', { value: s }, s)));
      store.value = data.store || '';
    }
    fill(source, `${data.source} · stock date ${data.date} (newest ${data.newest_stock_date}) · snapshot ${data.mart_snapshot_id}`);
    const o = data.stockouts;
    setKpi(tiles.out, number(o.skus_out_of_stock), o.skus_out_of_stock, `in ${number(o.by_store.length)} stores`);
    setKpi(tiles.negative, number(o.negative_skus), o.negative_skus, 'SKUs with closing stock below zero');
    const c = data.low_cover;
    setKpi(tiles.lowCover, number(c.rows.length), c.rows.length, `of the top ${c.top_sellers} sellers, ${c.window_from} to ${c.window_to}`);
    const t = data.shrink.totals;
    setKpi(tiles.shrink, money(t.value), t.value, `${number(t.units)} units, ${data.shrink.from} to ${data.shrink.to}`
      + (t.units_without_cost ? ` · ${number(t.units_without_cost)} units without a cost` : ''));
    fill(stockouts, table(['Store', 'SKUs out', 'Negative', 'SKUs (closing units)'],
      o.by_store.map((s) => h('tr', { dataset: { store: s.store_id } },
        h('td', {}, s.store_id), h('td', { class: 'num skus-out' }, number(s.skus_out_of_stock)),
        h('td', { class: 'num' }, number(s.negative_skus)),
        h('td', { class: 'sku-list' }, s.skus.map((k, i) => h('span', { class: k.closing_units < 0 ? 'negative' : null },
          `${i ? ', ' : ''}${k.sku} (${number(k.closing_units)})`))))),
      'No stockouts on this date.'));
    fill(document.getElementById('stock-low-cover-note'),
      `The ${c.top_sellers} SKUs with the most net units sold (all stores, ${c.window_from} to ${c.window_to}) where a store holds under ${c.below_days} days of cover.`);
    fill(lowCover, table(['Store', 'SKU', 'Net units, 7 days', 'Closing units', 'Days of cover'],
      c.rows.map((r) => [r.store_id, r.sku, number(r.net_units_7_days), number(r.closing_units), r.days_of_cover]),
      'No top seller under the cover limit.'));
    fill(document.getElementById('stock-shrink-note'),
      'Units that adjustments took away plus units that counts found missing; value at the row\'s unit cost.');
    fill(shrink, table(['Store', 'Adjusted', 'Counted', 'Units', 'Value'],
      data.shrink.by_store.map((s) => h('tr', { dataset: { store: s.store_id } },
        h('td', {}, s.store_id), h('td', { class: 'num' }, number(s.adjusted_units)), h('td', { class: 'num' }, number(s.counted_units)),
        h('td', { class: 'num' }, number(s.units)), h('td', { class: 'num shrink-value' }, money(s.value)))),
      'No shrink in this range.'));
  }

  return { refresh };
}
