// Run detail: parameters, timeline, checks, summary, snapshot ids, a live log tail and Cancel.
import * as api from '../api.js';
import { ACTIVE, badge, fill, h, runLink, seconds, time } from '../dom.js';

const LOG_POLL_MS = 1000;
const LOG_KEEP_CHARS = 2_000_000; // the pane keeps the tail of very long logs

export function runDetailView(root, { params }, app) {
  const id = params[0];
  let gen = 0;
  let alive = true;
  let run = null;

  const title = h('h1', {}, `Run #${id}`);
  const actions = h('div', { class: 'actions' });
  const overview = h('section', { class: 'panel' });
  const checks = h('section', { class: 'panel' });
  const summary = h('section', { class: 'panel' });
  const related = h('section', { class: 'panel' });
  const logState = h('span', { id: 'log-state', class: 'muted' }, 'waiting for the log…');
  const log = h('pre', { id: 'log', class: 'log', tabindex: '0', 'aria-label': 'Run log' });

  fill(root,
    h('p', {}, h('a', { href: '#/runs' }, '← Runs')),
    h('div', { class: 'title-row' }, title, actions),
    h('div', { class: 'grid' }, overview, checks),
    related,
    summary,
    h('section', { class: 'panel' }, h('h2', {}, 'Log ', logState), log));

  async function refresh() {
    const mine = ++gen;
    const fetched = await api.get(`/api/runs/${encodeURIComponent(id)}`);
    const children = await api.get(api.query('/api/runs', { job: fetched.job, limit: 200 }))
      .then((d) => (d.runs || []).filter((r) => r.parent_id === fetched.id))
      .catch(() => []);
    if (mine !== gen || !alive) return;
    run = fetched;
    render(children);
  }

  function render(children) {
    fill(title, `Run #${run.id} · ${run.job} `, badge(run.status));
    fill(actions, ACTIVE.has(run.status)
      ? h('button', { type: 'button', id: 'cancel-run', class: 'danger', onclick: (e) => cancel(e.target) }, 'Cancel')
      : null);
    const steps = [
      ['queued', run.queued_at],
      ...(run.not_before ? [['not before (retry backoff)', run.not_before]] : []),
      ['started', run.started_at],
      ['ended', run.ended_at],
    ];
    fill(overview,
      h('h2', {}, 'Overview'),
      h('dl', { class: 'kv' },
        kv('Job', run.job),
        kv('Trigger', run.trigger),
        kv('Attempt', `${run.attempt ?? 1} of ${run.max_attempts ?? 1}`),
        kv('Parameters', h('code', {}, JSON.stringify(run.params ?? {}))),
        kv('Exit code', run.exit_code ?? '—'),
        kv('Duration', seconds(run.duration_seconds)),
        kv('Message', run.message ?? '—'),
        run.pid != null ? kv('PID', run.pid) : null,
        run.run_key ? kv('Run key', run.run_key) : null,
        run.backfill_id != null ? kv('Backfill', h('a', { href: `#/backfills/${run.backfill_id}` }, `#${run.backfill_id}`)) : null),
      h('h3', {}, 'Timeline'),
      h('ol', { class: 'timeline' }, steps.map(([label, at]) =>
        h('li', { class: at ? 'done' : 'pending' }, h('span', { class: 'step' }, label), ' ', time(at)))));
    const list = run.checks || [];
    fill(checks,
      h('h2', {}, 'Checks'),
      list.length === 0
        ? h('p', { class: 'empty' }, ACTIVE.has(run.status) ? 'Checks run when the run ends.' : 'No checks.')
        : h('ul', { class: 'checks' }, list.map((c) =>
          h('li', { class: c.passed ? 'pass' : `fail ${c.severity}` },
            h('span', { class: 'mark', 'aria-hidden': 'true' }, c.passed ? '✓' : '✗'),
            h('strong', {}, c.name), ' ',
            h('span', { class: 'muted' }, c.passed ? 'passed' : `failed (${c.severity})`),
            c.detail ? h('div', { class: 'detail' }, c.detail) : null))));
    fill(related,
      h('h2', {}, 'Related runs'),
      h('p', {}, 'Parent: ', run.parent_id != null ? runLink(run.parent_id) : '—', ' · Retries: ',
        children.length ? children.map((c, i) => [i ? ', ' : '', runLink(c.id), ' ', badge(c.status)]) : '—'));
    const snapshots = Object.entries(run.summary || {}).filter(([k, v]) => /snapshot/.test(k) && v != null);
    fill(summary,
      h('h2', {}, 'Summary'),
      snapshots.length
        ? h('dl', { class: 'kv', id: 'snapshots' }, snapshots.map(([k, v]) => kv(k, h('code', {}, String(v)))))
        : null,
      run.summary
        ? h('pre', { class: 'json', id: 'summary' }, prettyJson(run.summary))
        : h('p', { class: 'empty' }, 'No summary (yet).'));
  }

  async function cancel(button) {
    if (!confirm(`Cancel run #${id}?`)) return;
    const cancelled = await app.act(button, () => api.post(`/api/runs/${encodeURIComponent(id)}/cancel`));
    if (cancelled) app.notify(`Run #${id}: ${cancelled.status}.`);
  }

  // The live log tail: its own 1 s loop, independent of the page refresh, until the log is complete.
  // The first request asks for the last 256 KiB only (a run's log can hold millions of lines).
  let offset = null;
  let logTimer = null;
  async function pollLog() {
    let complete = false;
    try {
      const params = offset == null ? { tail_bytes: 262144, max_bytes: 262144 } : { offset, max_bytes: 65536 };
      const chunk = await api.get(api.query(`/api/runs/${encodeURIComponent(id)}/log`, params));
      if (!alive) return;
      if (offset == null && chunk.offset > 0) log.textContent = `… (${chunk.offset} earlier bytes not shown)\n`;
      const atBottom = log.scrollTop + log.clientHeight >= log.scrollHeight - 4;
      if (chunk.text) {
        let text = log.textContent + chunk.text;
        if (text.length > LOG_KEEP_CHARS) text = `… (start cut)\n${text.slice(-LOG_KEEP_CHARS)}`;
        log.textContent = text;
        if (atBottom) log.scrollTop = log.scrollHeight;
      }
      offset = chunk.next_offset ?? offset;
      complete = chunk.complete === true;
      logState.textContent = complete ? `(${chunk.size ?? offset} bytes, complete)` : `(${chunk.size ?? offset} bytes, live)`;
      // More bytes are waiting: fetch them at once rather than a second later.
      if (!complete && chunk.size != null && offset < chunk.size) {
        logTimer = setTimeout(pollLog, 0);
        return;
      }
    } catch (e) {
      if (!alive) return;
      logState.textContent = `(log unavailable: ${e.message})`;
    }
    if (alive && !complete) logTimer = setTimeout(pollLog, LOG_POLL_MS);
  }
  pollLog();

  return {
    refresh,
    unmount() {
      alive = false;
      gen++;
      clearTimeout(logTimer);
    },
  };
}

/** Indented JSON; 64-bit integers the API client kept as strings are shown as the numbers they are. */
function prettyJson(value) {
  return JSON.stringify(value, null, 2).replace(/"(-?\d{16,})"/g, '$1');
}

function kv(key, value) {
  return [h('dt', {}, key), h('dd', {}, value)];
}
