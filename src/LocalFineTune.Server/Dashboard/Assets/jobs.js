// Jobs: every job (GET /api/finetune/jobs, paged with ?after=) with status, progress, ETA, base and created time;
// filter by status; copy the id or the fine-tuned model name; cancel; open. Refreshes while any job is active.
import { get, post } from './api.js';
import { h, fmtTime, fmtDuration, isFinal, modelName, copy, errorBox, statusBadge, progressBar, keepFocus } from './ui.js';

const STATUSES = ['', 'validating_files', 'queued', 'running', 'succeeded', 'failed', 'cancelled'];

export async function listAll(status) {
  const all = [];
  let after = null;
  for (let page = 0; page < 50; page++) {
    const query = new URLSearchParams({ limit: '100' });
    if (status) query.set('status', status);
    if (after) query.set('after', after);
    const body = await get(`/api/finetune/jobs?${query}`);
    all.push(...body.jobs);
    if (!body.has_more || body.jobs.length === 0) break;
    after = body.jobs[body.jobs.length - 1].job_id;
  }
  return all;
}

export function render(view) {
  let timer = null;
  let stopped = false;
  const filter = h('select#status-filter', { onchange: () => refresh() },
    STATUSES.map((s) => h('option', { value: s }, s ? s.replace('_', ' ') : 'all statuses')));
  const message = h('div');
  const body = h('tbody');
  // A failed cancel stays next to its row's button across the refreshes (job id → error).
  const rowErrors = new Map();
  view.append(
    h('div.toolbar', {},
      h('h1', {}, 'Fine-tuning jobs'),
      h('label', { for: 'status-filter' }, 'Status'), filter,
      h('button', { type: 'button', onclick: () => refresh() }, 'Refresh'),
      h('a.button.primary', { href: '#/new' }, 'New job')),
    message,
    h('div.table-wrap', {}, h('table.jobs', {},
      h('thead', {}, h('tr', {}, ['Job', 'Status', 'Progress', 'ETA', 'Base', 'Created', 'Actions'].map((c) => h('th', { scope: 'col' }, c)))),
      body)));

  async function refresh() {
    clearTimeout(timer);
    try {
      const jobs = await listAll(filter.value);
      message.replaceChildren(jobs.length ? '' : h('p.muted', {}, 'No jobs yet. Start one from "New job".'));
      keepFocus(body, () => body.replaceChildren(...jobs.map((job) => row(job, refresh, rowErrors))));
      if (!stopped && jobs.some((j) => !isFinal(j.status))) timer = setTimeout(refresh, 3000);
    } catch (e) {
      message.replaceChildren(errorBox(e));
      if (!stopped) timer = setTimeout(refresh, 5000);
    }
  }
  refresh();
  return () => { stopped = true; clearTimeout(timer); };
}

function row(job, refresh, rowErrors) {
  const name = modelName(job);
  const id = job.job_id;
  const cancel = async () => {
    if (!confirm(`Cancel ${id}?`)) return;
    try { await post(`/api/finetune/jobs/${encodeURIComponent(id)}/cancel`); rowErrors.delete(id); } catch (e) { rowErrors.set(id, { message: e.message, fresh: true }); }
    refresh();
  };
  const error = rowErrors.get(id);
  // Announced once, not at every refresh.
  const alert = error?.fresh ? 'alert' : undefined;
  if (error) error.fresh = false;
  return h('tr', {},
    h('td', { 'data-label': 'Job' }, h('a.mono', { href: `#/jobs/${encodeURIComponent(id)}`, 'data-key': `${id}:link` }, id)),
    h('td', { 'data-label': 'Status' }, statusBadge(job.status), job.error ? h('div.small.error-text', {}, job.error.message) : null),
    h('td', { 'data-label': 'Progress' }, progressBar(job.progress, `Progress of ${id}`)),
    h('td', { 'data-label': 'ETA' }, job.status === 'running' ? fmtDuration(job.eta_seconds) : '—'),
    h('td', { 'data-label': 'Base' }, job.model || '—'),
    h('td', { 'data-label': 'Created' }, fmtTime(job.created_at)),
    h('td.actions', { 'data-label': 'Actions' },
      h('button', { type: 'button', 'aria-label': `Copy id ${id}`, 'data-key': `${id}:copy`, onclick: (e) => copy(id, e.currentTarget) }, 'Copy id'),
      name ? h('button', { type: 'button', 'aria-label': `Copy name ${name}`, 'data-key': `${id}:name`, onclick: (e) => copy(name, e.currentTarget) }, 'Copy name') : null,
      isFinal(job.status) ? null : h('button.danger', { type: 'button', 'aria-label': `Cancel ${id}`, 'data-key': `${id}:cancel`, onclick: cancel }, 'Cancel'),
      h('a.button', { href: `#/jobs/${encodeURIComponent(id)}`, 'aria-label': `Open ${id}`, 'data-key': `${id}:open` }, 'Open'),
      error ? h('p.field-error', { role: alert }, error.message) : null));
}
