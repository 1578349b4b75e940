// DOM and formatting helpers. Every string from the API reaches the page as a text node or an
// attribute value (never as HTML), so nothing the server returns can inject markup.

/** h('tag', {class, title, onclick, ...}, children...): builds an element. */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value == null || value === false) continue;
    if (key === 'class') el.className = value;
    else if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else if (key === 'value') el.value = value;
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child == null || child === false) continue;
    el.append(child instanceof Node ? child : String(child)); // append(string) makes a text node
  }
}

/** Replaces the children of el. */
export function fill(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

export const ACTIVE = new Set(['queued', 'running']);

export function badge(status) {
  return h('span', { class: `badge status-${status}` }, status ?? '—');
}

export function runLink(id) {
  return id == null ? '—' : h('a', { href: `#/runs/${encodeURIComponent(id)}` }, `#${id}`);
}

function pad(n) {
  return String(n).padStart(2, '0');
}

/** An ISO-8601 instant as "2026-12-03 04:20:05" in UTC, with the full value as tooltip. */
export function time(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  const text = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} `
    + `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
  return h('time', { datetime: iso, title: `${iso} (${ago(iso)})` }, text);
}

export function seconds(s) {
  if (s == null) return '—';
  if (s < 60) return `${Number(s).toFixed(1)} s`;
  const m = Math.floor(s / 60);
  const rest = Math.round(s % 60);
  if (m < 60) return rest ? `${m} min ${pad(rest)} s` : `${m} min`;
  return m % 60 ? `${Math.floor(m / 60)} h ${pad(m % 60)} min` : `${Math.floor(m / 60)} h`;
}

/** "N s ago" (minutes, hours or days once the seconds get long). */
export function ago(iso) {
  if (!iso) return '—';
  const s = Math.max(0, Math.round((Date.now() - new Date(iso).getTime()) / 1000));
  return agoSeconds(s);
}

export function agoSeconds(s) {
  if (s == null) return '—';
  s = Math.round(s);
  if (s < 120) return `${s} s ago`;
  if (s < 7200) return `${Math.round(s / 60)} min ago`;
  if (s < 172800) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86400)} d ago`;
}

export function bytes(n) {
  if (n == null) return '—';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = Number(n);
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(1)} ${units[i]}`;
}

export function number(n) {
  return n == null ? '—' : Number(n).toLocaleString('en-US');
}

/** A table with a header row; rows is a list of arrays of cells (strings or nodes). */
export function table(headers, rows, empty = 'Nothing yet.') {
  if (rows.length === 0) return h('p', { class: 'empty' }, empty);
  return h('table', {},
    h('thead', {}, h('tr', {}, headers.map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', {}, rows.map((cells) => (cells instanceof Node ? cells : h('tr', {}, cells.map((c) => h('td', {}, c)))))));
}
