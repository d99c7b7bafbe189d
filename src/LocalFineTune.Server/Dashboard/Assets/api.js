// Every call the dashboard makes goes through here: the public JSON APIs (/api/finetune/*, /v1/*) with the session
// cookie and the X-LFT-Dashboard header that cookie-authenticated state-changing requests must carry.

const HEADER = { 'X-LFT-Dashboard': '1' };

/** An API error with the field it names (ProblemDetails' param, or OpenAI's error.param) and the server's advice. */
export class ApiError extends Error {
  constructor(status, message, param, code) {
    super(message);
    this.status = status;
    this.param = param || null;
    this.code = code || null;
  }
}

/** Connection state listeners: called with true when the server answers again, false when it cannot be reached. */
const listeners = new Set();
export function onConnection(listener) { listeners.add(listener); }
function connected(ok) { listeners.forEach((l) => l(ok)); }

async function errorOf(response) {
  const body = await response.json().catch(() => null);
  if (body && body.error && typeof body.error === 'object') {
    return new ApiError(response.status, body.error.message, body.error.param, body.error.code);
  }
  if (body && (body.detail || body.title)) {
    return new ApiError(response.status, body.detail || body.title, body.param, body.code);
  }
  return new ApiError(response.status, `${response.status} ${response.statusText}`);
}

/** fetch with the dashboard header; a lost connection is reported and rethrown as an ApiError with status 0. */
export async function request(method, path, { json, form, signal, accept } = {}) {
  const headers = { ...HEADER };
  if (json !== undefined) headers['Content-Type'] = 'application/json';
  if (accept) headers.Accept = accept;
  let response;
  try {
    response = await fetch(path, {
      method, headers, signal, credentials: 'same-origin',
      body: json !== undefined ? JSON.stringify(json) : form,
    });
  } catch (e) {
    if (e.name === 'AbortError') throw e;
    connected(false);
    throw new ApiError(0, 'The server cannot be reached. Is lft serve still running? Retrying…');
  }
  connected(true);
  if (response.status === 401) {
    // The key changed or the cookie expired: the login page is what / serves now.
    location.reload();
  }
  if (!response.ok) throw await errorOf(response);
  return response;
}

export const get = async (path, options) => (await request('GET', path, options)).json();
export const post = async (path, json) => {
  const response = await request('POST', path, { json });
  return response.status === 204 ? null : response.json();
};
export const del = async (path) => {
  const response = await request('DELETE', path);
  return response.status === 204 ? null : response.json();
};

/**
 * GET /health without the connection reporting of request(): the reconnect loop's probe. Resolves to null when the
 * server answers healthy, '' when it cannot be reached, else the server's reason (its 503 detail).
 */
export async function probe() {
  try {
    const response = await fetch('/health', { cache: 'no-store', credentials: 'same-origin' });
    return response.ok ? null : (await errorOf(response)).message;
  } catch {
    return '';
  }
}

/**
 * Reads a server-sent event stream from a fetch response (POST streams cannot use EventSource) and calls
 * onEvent(name, data) for each event; "data: [DONE]" (OpenAI's end marker) ends it.
 */
export async function readSse(response, onEvent) {
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let end;
    while ((end = buffer.search(/\r?\n\r?\n/)) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end).replace(/^\r?\n\r?\n/, '');
      let name = 'message';
      const data = [];
      for (const line of block.split(/\r?\n/)) {
        if (line.startsWith('event:')) name = line.slice(6).trim();
        else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
      }
      if (data.length === 0) continue;
      if (data.join('\n') === '[DONE]') return;
      onEvent(name, JSON.parse(data.join('\n')));
    }
  }
}
