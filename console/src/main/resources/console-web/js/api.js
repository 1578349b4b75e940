// The JSON API client: the only way the UI talks to the server.
const TOKEN_KEY = 'lakehouse.token';

export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

export function token() {
  return sessionStorage.getItem(TOKEN_KEY) || '';
}

export function setToken(value) {
  if (value) sessionStorage.setItem(TOKEN_KEY, value);
  else sessionStorage.removeItem(TOKEN_KEY);
}

/** Called with the ApiError of every 401, so the app can ask for a token. */
let onUnauthorized = () => {};
export function whenUnauthorized(callback) {
  onUnauthorized = callback;
}

/**
 * Iceberg snapshot ids are 64-bit: beyond 2^53 a JS number would round them. Where the browser gives
 * the reviver the number's source text (JSON.parse source text access), such integers stay exact
 * as strings.
 */
function keepBigIntegers(_key, value, context) {
  if (typeof value === 'number' && !Number.isSafeInteger(value) && context && /^-?\d+$/.test(context.source)) {
    return context.source;
  }
  return value;
}

async function request(method, path, body) {
  const headers = { Accept: 'application/json' };
  if (token()) headers.Authorization = `Bearer ${token()}`;
  if (method !== 'GET') {
    headers['X-Lakehouse-Request'] = '1';
    headers['Content-Type'] = 'application/json';
  }
  let response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: 'no-store',
    });
  } catch (e) {
    throw new ApiError(0, `server unreachable (${e.message})`);
  }
  let data = null;
  const text = await response.text();
  if (text) {
    try {
      data = JSON.parse(text, keepBigIntegers);
    } catch {
      data = null;
    }
  }
  if (!response.ok) {
    const reason = data && data.error ? data.error : `${response.status} ${response.statusText}`;
    const error = new ApiError(response.status, `${method} ${path}: ${reason}`);
    if (response.status === 401) onUnauthorized(error);
    throw error;
  }
  return data;
}

export const get = (path) => request('GET', path);
export const post = (path, body = {}) => request('POST', path, body);

/** Builds "path?k=v&..." leaving out empty values. */
export function query(path, params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== '' && v != null) q.set(k, v);
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}
