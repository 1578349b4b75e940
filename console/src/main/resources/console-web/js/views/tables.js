// Tables: Iceberg table health, Kafka lag per partition, dead letters by reason, raw's freshness.
import * as api from '../api.js';
import { agoSeconds, ago, bytes, fill, h, number, table } from '../dom.js';

export function tablesView(root, _route, app) {
  let gen = 0;
  const tables = h('div', { id: 'tables' }, h('p', { class: 'empty' }, 'Loading…'));
  const freshness = h('p', { id: 'raw-freshness' });
  const kafka = h('div', { id: 'kafka' });
  const dead = h('div', { id: 'dead-letters' });
  const parts = h('div', { id: 'partition-files' });
  const open = new Set(); // which tables' partition lists the user opened (kept across refreshes)

  fill(root,
    h('h1', {}, 'Tables'),
    h('section', { class: 'panel' }, h('h2', {}, 'Iceberg tables'), freshness, tables),
    h('section', { class: 'panel' }, h('h2', {}, 'Files per partition'),
      h('p', { class: 'muted' }, 'Live data files of each partition: what ',
        h('code', {}, 'maintain --compact'), ' (the nightly schedule) merges; a maintain run\'s summary has the files before and after.'),
      parts),
    h('div', { class: 'grid' },
      h('section', { class: 'panel' }, h('h2', {}, 'Kafka lag'), kafka),
      h('section', { class: 'panel' }, h('h2', {}, 'Dead letters (24 h)'), dead)));

  async function refresh() {
    const mine = ++gen;
    const data = await api.get('/api/tables');
    if (mine !== gen) return;
    const since = data.seconds_since_last_raw_commit;
    const slo = data.freshness_slo_seconds;
    const late = since != null && slo != null && since > slo;
    fill(freshness, 'Last raw commit: ',
      h('strong', { class: late ? 'inline-error' : null }, since == null ? 'never' : agoSeconds(since)),
      slo != null ? h('span', { class: 'muted' }, ` (freshness target ${slo} s${late ? ': missed' : ''})`) : null);
    fill(tables, table(['Table', 'Snapshots', 'Data files', 'Total size', 'Avg file size', 'Records', 'Last commit', 'Current snapshot'],
      (data.tables || []).map((t) => t.exists === false
        ? h('tr', {}, h('td', {}, h('strong', {}, t.name)), h('td', { colspan: 7, class: 'muted' }, 'does not exist yet'))
        : [
          h('strong', {}, t.name),
          number(t.snapshots),
          number(t.data_files),
          bytes(t.total_bytes),
          bytes(t.average_file_bytes),
          number(t.records),
          t.last_commit ? h('span', { title: t.last_commit }, ago(t.last_commit)) : '—',
          t.current_snapshot_id != null ? h('code', {}, String(t.current_snapshot_id)) : '—',
        ]), 'No tables.'));
    fill(parts, (data.tables || []).filter((t) => t.exists !== false).map((t) => {
      const list = t.partitions || [];
      const details = h('details', { class: 'partition-files', 'data-table': t.name, open: open.has(t.name) },
        h('summary', {}, h('strong', {}, t.name), ` · ${number(list.length)} partitions, ${number(t.data_files)} files`),
        table(['Partition', 'Files', 'Size', 'Avg file size', 'Records'],
          list.map((p) => h('tr', {},
            h('td', {}, h('code', {}, p.partition || '(unpartitioned)')),
            h('td', { class: 'num' }, number(p.files)),
            h('td', { class: 'num' }, bytes(p.bytes)),
            h('td', { class: 'num' }, bytes(p.average_file_bytes)),
            h('td', { class: 'num' }, number(p.records)))),
          'No data files.'));
      details.addEventListener('toggle', () => { if (details.open) open.add(t.name); else open.delete(t.name); });
      return details;
    }));
    const k = data.kafka || {};
    const partitions = k.partitions || [];
    const totalLag = partitions.reduce((sum, p) => sum + (p.lag || 0), 0);
    fill(kafka,
      k.error ? h('p', { class: 'inline-error' }, `Kafka: ${k.error}`) : null,
      k.topic ? h('p', {}, 'Topic ', h('code', {}, k.topic), ` · total lag ${number(totalLag)}`) : null,
      table(['Partition', 'End offset', 'Committed', 'Lag'],
        partitions.map((p) => h('tr', { class: p.lag > 0 ? 'lagging' : null },
          h('td', {}, String(p.partition)),
          h('td', { class: 'num' }, number(p.end_offset)),
          h('td', { class: 'num' }, number(p.committed_offset)),
          h('td', { class: 'num' }, number(p.lag)))),
        k.error ? 'No partition figures.' : 'No partitions.'));
    const reasons = Object.entries(data.dead_letters_24h || {}).sort((a, b) => b[1] - a[1]);
    fill(dead, table(['Reason', 'Count'],
      reasons.map(([reason, count]) => h('tr', {}, h('td', {}, h('code', {}, reason)), h('td', { class: 'num' }, number(count)))),
      'None in the last 24 h.'));
  }

  return { refresh, unmount() { gen++; } };
}
