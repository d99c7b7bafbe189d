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
    announce(`Copied ${text}`);
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

export function progressBar(fraction, label = 'Progress') {
  const pct = Math.round((fraction || 0) * 100);
  return h('div.progress', { role: 'progressbar', 'aria-label': label, 'aria-valuenow': pct, 'aria-valuemin': 0, 'aria-valuemax': 100 },
    h('div.bar', { style: `width:${pct}%` }), h('span', {}, `${pct}%`));
}

/** Says text to screen readers through index.html's polite live region (what a sighted user sees flash by). */
export function announce(text) {
  const region = document.getElementById('announcer');
  if (!region) return;
  region.textContent = '';
  // A fresh text node after a tick, so the same message twice is announced twice.
  setTimeout(() => { region.textContent = text; }, 50);
}

/** The form control inside a field's wrapper (the wrapper itself when it is one). */
const controlOf = (node) => (node.matches('input, select, textarea') ? node : node.querySelector('input:not([type=radio]), select, textarea'));

/**
 * A labelled control: div.field#f-<id> with its label, the control, an optional hint and a slot (#<id>-error) for
 * the API error that names it; hint and error are tied to the control by aria-describedby so a screen reader reads
 * them with it. The label names the control (the first one inside a wrapper), by its own id.
 */
export function field(id, label, control, hint) {
  const input = controlOf(control);
  if (input) input.setAttribute('aria-describedby', [hint ? `${id}-hint` : null, `${id}-error`].filter(Boolean).join(' '));
  return h('div.field', { id: `f-${id}` }, h('label', { for: input?.id || id }, label), control,
    hint ? h('p.hint', { id: `${id}-hint` }, hint) : null, errorSlot(id));
}

/** The empty error slot of a field (#<id>-error); for groups (fieldsets) that field() does not build. */
export const errorSlot = (id) => h('p.field-error', { id: `${id}-error`, role: 'alert', hidden: true });

/** Empties every field's error slot and the top box, and clears the invalid marks. */
export function clearFieldErrors(form, top) {
  if (top) top.replaceChildren();
  form.querySelectorAll('.field-error').forEach((p) => { p.hidden = true; p.textContent = ''; });
  form.querySelectorAll('[aria-invalid]').forEach((i) => { i.classList.remove('invalid'); i.removeAttribute('aria-invalid'); });
}

/**
 * Shows an API error next to the field it names: fieldOf is [[regex over the error's param (ProblemDetails param,
 * OpenAI error.param, e.g. "job.epochs"), field id]…]. The control is marked invalid and focused. An error naming
 * no field here goes in the top box. The message is the server's, which says how to fix it.
 */
export function showFieldError(form, top, error, fieldOf) {
  const id = error.param && fieldOf.find(([re]) => re.test(error.param))?.[1];
  const slot = id && form.querySelector(`#${id}-error`);
  if (!slot) {
    top.replaceChildren(errorBox(error));
    return;
  }
  slot.textContent = error.message;
  slot.hidden = false;
  const input = form.querySelector(`#f-${id} :is(input, select, textarea):not([hidden]):not([disabled]):not([type=radio])`);
  if (input) { input.classList.add('invalid'); input.setAttribute('aria-invalid', 'true'); input.focus(); }
}

/** An error from a row's button, shown in that row's cell (replacing the previous one) rather than far above. */
export function showRowError(cell, error) {
  cell.querySelector('.row-error')?.remove();
  cell.append(h('p.field-error.row-error', { role: 'alert' }, error.message || String(error)));
}

/**
 * Runs render (which replaces container's content) and puts keyboard focus back on the new element with the same
 * data-key, so a table refreshed every few seconds does not throw the focus of a keyboard user back to the page's top.
 */
export function keepFocus(container, render) {
  const focused = document.activeElement;
  const key = focused && container.contains(focused) ? focused.dataset.key : undefined;
  render();
  if (key) container.querySelector(`[data-key="${CSS.escape(key)}"]`)?.focus();
}
