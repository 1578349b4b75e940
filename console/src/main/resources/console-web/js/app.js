// The console's single-page app: a hash router, the header (health, banner, notices, token prompt)
// and the refresh loop. Each view mounts once per visit and re-fetches its data on every tick:
// every 2 s while any run is queued or running, every 10 s otherwise (or at the view's refreshMs). No full page reloads.
import * as api from './api.js';
import { fill, h } from './dom.js';
import { runsView } from './views/runs.js';
import { runDetailView } from './views/run-detail.js';
import { jobsView } from './views/jobs.js';
import { backfillsView } from './views/backfills.js';
import { partitionsView } from './views/partitions.js';
import { tablesView } from './views/tables.js';
import { dailyView, liveView, qualityView, stockView } from './views/dashboard.js';

const FAST_MS = 2000;
const SLOW_MS = 10000;

const routes = [
  { pattern: /^\/?$/, section: 'runs', view: runsView },
  { pattern: /^\/runs$/, section: 'runs', view: runsView },
  { pattern: /^\/runs\/(\d+)$/, section: 'runs', view: runDetailView },
  { pattern: /^\/jobs$/, section: 'jobs', view: jobsView },
  { pattern: /^\/backfills(?:\/(\d+))?$/, section: 'backfills', view: backfillsView },
  { pattern: /^\/partitions$/, section: 'partitions', view: partitionsView },
  { pattern: /^\/tables$/, section: 'tables', view: tablesView },
  { pattern: /^\/dashboard(?:\/daily)?$/, section: 'dashboard', view: dailyView },
  { pattern: /^\/dashboard\/live$/, section: 'dashboard', view: liveView },
  { pattern: /^\/dashboard\/quality$/, section: 'dashboard', view: qualityView },
  { pattern: /^\/dashboard\/stock$/, section: 'dashboard', view: stockView },
];

const root = document.getElementById('view');
const banner = document.getElementById('banner');
const notice = document.getElementById('notice');
const healthEl = document.getElementById('health');
const tokenForm = document.getElementById('token-form');
const tokenInput = document.getElementById('token-input');

let current = null; // the mounted view: {refresh(), unmount()}
let timer = null;
let tickSeq = 0;
let busy = false; // any run queued or running, per the last health answer
let retryAfterToken = null; // the action a 401 refused, tried again once a token is entered

export const app = {
  /** Navigates to a hash route, e.g. '#/runs/12'. */
  navigate(hash) {
    if (location.hash === hash) route();
    else location.hash = hash;
  },
  /** Re-fetches now (after an action). */
  refreshNow() {
    tick();
  },
  /** A one-line error banner; an ApiError's message is already one line. */
  error(e) {
    banner.textContent = e instanceof Error ? e.message : String(e);
    banner.hidden = false;
  },
  clearError() {
    banner.hidden = true;
    banner.textContent = '';
  },
  /** A short notice with an optional link: notify('Started run', '#/runs/12', '#12'). */
  notify(text, href, linkText) {
    fill(notice, text, href ? [' ', h('a', { href }, linkText || href)] : null);
    notice.hidden = false;
    clearTimeout(notice.timer);
    notice.timer = setTimeout(() => (notice.hidden = true), 8000);
  },
  /** Runs a POST-like action: errors go to the banner, success refreshes the page. */
  async act(button, action) {
    if (button) button.disabled = true;
    try {
      const result = await action();
      app.clearError();
      tick();
      return result;
    } catch (e) {
      app.error(e);
      // Refused for want of a token: the token prompt is up; once a token is given, try again.
      if (e instanceof api.ApiError && e.status === 401) retryAfterToken = () => app.act(button, action);
      return undefined;
    } finally {
      if (button) button.disabled = false;
    }
  },
  get busy() {
    return busy;
  },
};

function parseHash() {
  const raw = location.hash.replace(/^#/, '') || '/runs';
  const [path, q] = raw.split('?');
  return { path, query: new URLSearchParams(q || '') };
}

function route() {
  const { path, query } = parseHash();
  if (current) current.unmount?.();
  current = null;
  app.clearError();
  const match = routes.map((r) => ({ r, m: path.match(r.pattern) })).find((x) => x.m);
  for (const a of document.querySelectorAll('nav a')) {
    if (match && a.dataset.section === match.r.section) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  root.replaceChildren();
  if (!match) {
    fill(root, h('h1', {}, 'Not found'), h('p', {}, 'No such page: ', path, '. ', h('a', { href: '#/runs' }, 'Runs')));
    return;
  }
  current = match.r.view(root, { params: match.m.slice(1), query }, app);
  tick();
}

async function tick() {
  const seq = ++tickSeq;
  clearTimeout(timer);
  const view = current;
  try {
    const health = await api.get('/api/health');
    busy = (health.active_runs || 0) + (health.queued_runs || 0) > 0;
    renderHealth(health);
  } catch (e) {
    renderHealth(null, e);
  }
  if (view && view === current) {
    try {
      await view.refresh();
      if (seq === tickSeq) app.clearError();
    } catch (e) {
      if (view === current) app.error(e);
    }
  }
  // a view may ask for its own pace (the live dashboard: every 5 s)
  const pace = view && view === current && view.refreshMs ? view.refreshMs : busy ? FAST_MS : SLOW_MS;
  if (seq === tickSeq) timer = setTimeout(tick, pace);
}

function renderHealth(health, error) {
  if (!health) {
    healthEl.className = 'health health-down';
    fill(healthEl, h('span', { class: 'dot' }), error && error.status === 401 ? 'token needed' : 'server unreachable');
    return;
  }
  const ok = health.status === 'ok';
  healthEl.className = `health ${ok ? 'health-ok' : 'health-down'}`;
  healthEl.title = `data dir ${health.data_dir ?? '?'} · version ${health.version ?? '?'} · `
    + `scheduler heartbeat ${health.scheduler_heartbeat ?? '—'}`;
  fill(healthEl, h('span', { class: 'dot' }), `${health.status ?? '?'} · `,
    h('span', { id: 'health-active' }, `${health.active_runs ?? 0} active`), ' · ',
    h('span', { id: 'health-queued' }, `${health.queued_runs ?? 0} queued`));
}

api.whenUnauthorized(() => {
  if (!tokenForm.hidden) return;
  tokenInput.value = '';
  tokenForm.hidden = false;
  tokenInput.focus();
});
tokenForm.addEventListener('submit', (event) => {
  event.preventDefault();
  api.setToken(tokenInput.value.trim());
  tokenForm.hidden = true;
  app.clearError();
  const retry = retryAfterToken;
  retryAfterToken = null;
  if (retry) retry();
  else tick();
});
document.getElementById('token-cancel').addEventListener('click', () => {
  tokenForm.hidden = true;
  retryAfterToken = null;
});

window.addEventListener('hashchange', route);
route();
