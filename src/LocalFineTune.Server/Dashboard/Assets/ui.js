// Small DOM and formatting helpers shared by the pages (no framework: the dashboard ships as plain files).

/** h('tag#id.class', {attrs}, ...children): children are nodes or strings (strings become text, never HTML). */
export function h(spec, attrs = {}, ...children) {
  const [, tag, id, classes] = spec.match(/^([a-z0-9]*)(?:#([\w-]+))?((?:\.[\w-]+)*)$/i);
  const node = document.createElement(tag || 'div');
  if (id) node.id = id;
  if (classes) node.className = classes.slice(1).split('.').join(' ');
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else if (key === 'text') node.textContent = value;
    else node.setAttribute(key, value === true ? '' : value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

export const fmtTime = (iso) => (iso ? new Date(iso).toLocaleString() : '—');

export function fmtDuration(seconds) {
  if (seconds === null || seconds === undefined || !isFinite(seconds)) return '—';
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${s % 60}s`;
  return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
}

export const fmtNum = (x, digits = 4) => (x === null || x === undefined ? '—' : Number(x).toFixed(digits));

export const isFinal = (status) => ['succeeded', 'failed', 'cancelled'].includes(status);

/** The fine-tuned model's name from a job status: the last folder of model_path. */
export const modelName = (job) => (job.model_path ? job.model_path.replace(/\/+$/, '').split('/').pop() : null);

/** Copies text with the async clipboard API; falls back to a selectable prompt where it is not allowed (plain http). */
export async function copy(text, button) {
  try {
    await navigator.clipboard.writeText(text);
    flash(button, 'Copied');
  } catch {
    window.prompt('Copy this:', text);
  }
}

function flash(button, label) {
  if (!button) return;
  const old = button.textContent;
  button.textContent = label;
  setTimeout(() => { button.textContent = old; }, 1200);
}

/** An alert box for an API error (its message says how to fix it); shown in place of or above content. */
export const errorBox = (error) => h('div.error', { role: 'alert' }, error.message || String(error));

export function statusBadge(status) {
  return h(`span.badge.s-${status}`, {}, status.replace('_', ' '));
}

export function progressBar(fraction) {
  const pct = Math.round((fraction || 0) * 100);
  return h('div.progress', { role: 'progressbar', 'aria-valuenow': pct, 'aria-valuemin': 0, 'aria-valuemax': 100 },
    h('div.bar', { style: `width:${pct}%` }), h('span', {}, `${pct}%`));
}
