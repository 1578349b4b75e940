// Jobs & schedules: jobs with their last run and "Run now", schedules (pause/resume), sensors, backfills.
import * as api from '../api.js';
import { badge, fill, h, runLink, seconds, table, time } from '../dom.js';
import { backfillPanel } from './backfills.js';

export function jobsView(root, _route, app) {
  let gen = 0;
  const jobs = h('div', { id: 'jobs' }, h('p', { class: 'empty' }, 'Loading…'));
  const schedules = h('div', { id: 'schedules' });
  const sensors = h('div', { id: 'sensors' });
  const backfills = backfillPanel(app, null);

  fill(root,
    h('h1', {}, 'Jobs & schedules'),
    h('section', { class: 'panel' }, h('h2', {}, 'Jobs'), jobs),
    h('section', { class: 'panel' }, h('h2', {}, 'Schedules'), schedules),
    h('section', { class: 'panel' }, h('h2', {}, 'Sensors'), sensors),
    backfills.el);

  async function refresh() {
    const mine = ++gen;
    // Each section on its own: one failing endpoint leaves the others up to date (and the banner says why).
    const results = await Promise.allSettled([
      api.get('/api/jobs'), api.get('/api/schedules'), api.get('/api/sensors'), backfills.refresh()]);
    if (mine !== gen) return;
    const [j, s, n] = results.map((r) => (r.status === 'fulfilled' ? r.value : null));
    if (j) renderJobs(j);
    if (s) renderSchedules(s);
    if (n) renderSensors(n);
    const failed = results.find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
  }

  function renderJobs(j) {
    fill(jobs, table(['Job', 'Description', 'Attempts', 'Timeout', 'Last run', 'Active', ''],
      (j.jobs || []).map((job) => [
        h('strong', {}, job.name),
        job.follows?.length ? [job.description ?? '', h('div', { class: 'muted' }, `starts after each successful ${job.follows.join(', ')} run`)] : (job.description ?? ''),
        job.max_attempts ?? '—',
        job.timeout_seconds != null ? seconds(job.timeout_seconds) : '—',
        job.last_run
          ? [runLink(job.last_run.id), ' ', badge(job.last_run.status), ' ', time(job.last_run.ended_at || job.last_run.started_at || job.last_run.queued_at)]
          : '—',
        job.active_run_id != null ? runLink(job.active_run_id) : '—',
        h('button', { type: 'button', class: 'run-now', dataset: { job: job.name }, onclick: (e) => runNow(job.name, e.target) }, 'Run now'),
      ]), 'No jobs.'));
  }

  function renderSchedules(s) {
    fill(schedules, table(['Schedule', 'Job', 'Cron', 'Zone', 'Next ticks', 'Last tick', 'State', ''],
      (s.schedules || []).map((sc) => [
        h('strong', {}, sc.name),
        sc.job,
        h('code', {}, sc.cron),
        sc.zone,
        h('ul', { class: 'ticks' }, (sc.next_ticks || []).slice(0, 3).map((t) => h('li', {}, time(t)))),
        time(sc.last_tick),
        sc.paused ? badge('paused') : badge('active'),
        h('button', {
          type: 'button',
          class: sc.paused ? 'resume' : 'pause',
          onclick: (e) => toggle('schedules', sc, e.target),
        }, sc.paused ? 'Resume' : 'Pause'),
      ]), 'No schedules.'));
  }

  function renderSensors(n) {
    fill(sensors, table(['Sensor', 'Watches', 'Cursor', 'Last evaluated', 'Last run key', 'State', ''],
      (n.sensors || []).map((se) => [
        h('strong', {}, se.name),
        se.table ? [h('code', {}, se.table), se.job ? ` → ${se.job}` : ''] : '—',
        h('code', {}, se.cursor ?? '—'),
        time(se.last_evaluated),
        se.last_run_key ? h('code', {}, se.last_run_key) : '—',
        se.paused ? badge('paused') : badge('active'),
        h('button', {
          type: 'button',
          class: se.paused ? 'resume' : 'pause',
          onclick: (e) => toggle('sensors', se, e.target),
        }, se.paused ? 'Resume' : 'Pause'),
      ]), 'No sensors.'));
  }

  async function runNow(job, button) {
    const created = await app.act(button, () => api.post(`/api/jobs/${encodeURIComponent(job)}/runs`, {}));
    if (created) app.notify(`Queued ${job}:`, `#/runs/${created.id}`, `run #${created.id}`);
  }

  /** Pauses or resumes a schedule or a sensor (kind: 'schedules' or 'sensors'). */
  async function toggle(kind, item, button) {
    const action = item.paused ? 'resume' : 'pause';
    await app.act(button, () => api.post(`/api/${kind}/${encodeURIComponent(item.name)}/${action}`));
  }

  return { refresh, unmount() { gen++; backfills.stop(); } };
}
