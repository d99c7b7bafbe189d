// Job detail: status, live train/validation loss curves, learning rate and tokens/s from the job's server-sent event
// stream (GET /api/finetune/jobs/{id}/events?stream=true: it replays every event, then follows), the event log,
// the kept checkpoints (/v1/fine_tuning/jobs/{id}/checkpoints), the resolved config and eval before/after.
import { get, post } from './api.js';
import { lineChart } from './chart.js';
import { h, fmtTime, fmtDuration, fmtNum, isFinal, modelName, copy, errorBox, statusBadge, progressBar, showRowError } from './ui.js';

export function render(view, [jobId]) {
  const id = encodeURIComponent(jobId);
  const seen = new Set();
  const train = [];
  const validation = [];
  const lr = [];
  const summary = h('section.card');
  const chart = h('div.chart-box');
  const lrChart = h('div.chart-box');
  const live = h('dl.kv');
  // role=log: new lines are announced politely (prepended, newest first, as they are shown).
  const log = h('ol.log', { role: 'log', 'aria-live': 'polite', 'aria-label': 'Event log' });
  const checkpoints = h('div');
  const config = h('pre.config');
  const message = h('div');
  let last = {};
  let lastJob = {};
  let source = null;
  let retry = null;
  let stopped = false;

  view.append(
    h('div.toolbar', {}, h('a', { href: '#/jobs' }, '← Jobs'), h('h1.mono', {}, jobId)),
    message, summary,
    h('div.grid2', {},
      h('section.card', {}, h('h2', {}, 'Loss'), chart),
      h('section.card', {}, h('h2', {}, 'Learning rate'), lrChart, live)),
    h('section.card', {}, h('h2', {}, 'Checkpoints'), checkpoints),
    h('section.card', {}, h('h2', {}, 'Event log'), log),
    h('section.card', {}, h('h2', {}, 'Resolved configuration'), config));

  const redraw = () => {
    lineChart(chart, [{ name: 'train', cls: 'c1', points: train }, { name: 'validation', cls: 'c2', points: validation }]);
    lineChart(lrChart, [{ name: 'lr', cls: 'c3', points: lr }], { yLabel: 'learning rate' });
  };

  function onEvent(e) {
    if (seen.has(e.id)) return;
    seen.add(e.id);
    const d = e.data || {};
    if (d.step !== undefined && d.train_loss !== undefined) train.push({ x: d.step, y: d.train_loss });
    if (d.step !== undefined && d.eval_loss !== undefined) validation.push({ x: d.step, y: d.eval_loss });
    if (d.step !== undefined && d.learning_rate !== undefined) lr.push({ x: d.step, y: d.learning_rate });
    if (d.learning_rate !== undefined || d.tokens_per_second !== undefined) last = { ...last, ...d };
    log.prepend(h(`li.l-${e.level}`, {}, h('time', {}, fmtTime(e.created_at)), ' ', e.message));
  }

  // Metric events come more often than status updates: both redraw the live numbers, or the panel would show "—"
  // beside a learning-rate chart that already has points.
  function renderLive() {
    live.replaceChildren(
      h('dt', {}, 'Learning rate'), h('dd', {}, last.learning_rate !== undefined ? Number(last.learning_rate).toExponential(3) : '—'),
      h('dt', {}, 'Tokens/s'), h('dd', {}, fmtNum(lastJob.tokens_per_second ?? last.tokens_per_second, 1)),
      h('dt', {}, 'Grad norm'), h('dd', {}, fmtNum(last.grad_norm, 3)));
  }

  function onStatus(job) {
    // replaceChildren would print a null (no error, no model yet) as the text "null".
    summary.replaceChildren(...renderSummary(job).filter(Boolean));
    config.textContent = JSON.stringify(job.config ?? {}, null, 2);
    lastJob = job;
    renderLive();
    if (isFinal(job.status)) loadCheckpoints(jobId, checkpoints);
  }

  function follow() {
    source = new EventSource(`/api/finetune/jobs/${id}/events?stream=true`);
    source.addEventListener('job_event', (m) => { onEvent(JSON.parse(m.data)); redraw(); renderLive(); });
    source.addEventListener('progress', (m) => {
      message.replaceChildren();
      const job = JSON.parse(m.data);
      onStatus(job);
      // The server ends the stream once the job is final; EventSource would reconnect and replay it all.
      if (isFinal(job.status)) source.close();
    });
    source.onerror = () => {
      if (stopped) return;
      message.replaceChildren(h('div.banner.inline', { role: 'status' }, 'Live updates interrupted; reconnecting…'));
      // CONNECTING: the browser retries by itself. CLOSED (the server answered an error, e.g. while restarting): it
      // never will, so the status is read again and the stream reopened (its replay is deduplicated by event id).
      if (source.readyState === EventSource.CLOSED) { clearTimeout(retry); retry = setTimeout(resume, 3000); }
    };
  }

  async function resume() {
    try {
      const job = await get(`/api/finetune/status/${id}`);
      message.replaceChildren();
      onStatus(job);
      if (!stopped && !isFinal(job.status)) follow();
    } catch (e) {
      message.replaceChildren(errorBox(e));
      if (!stopped) retry = setTimeout(resume, 5000);
    }
  }

  (async () => {
    try {
      onStatus(await get(`/api/finetune/status/${id}`));
      redraw();
      follow();
    } catch (e) {
      message.replaceChildren(errorBox(e));
    }
  })();
  return () => { stopped = true; source?.close(); clearTimeout(retry); };
}

function renderSummary(job) {
  const name = modelName(job);
  const cancel = async (event) => {
    const toolbar = event.currentTarget.parentElement;
    try { await post(`/api/finetune/jobs/${encodeURIComponent(job.job_id)}/cancel`); } catch (e) { showRowError(toolbar, e); }
  };
  const change = job.eval_loss_before != null && job.eval_loss_after != null ? job.eval_loss_after - job.eval_loss_before : null;
  return [
    h('div.toolbar', {}, statusBadge(job.status), progressBar(job.progress, 'Training progress'),
      h('button', { type: 'button', onclick: (e) => copy(job.job_id, e.currentTarget) }, 'Copy id'),
      name ? h('button', { type: 'button', onclick: (e) => copy(name, e.currentTarget) }, 'Copy name') : null,
      name ? h('a.button', { href: `#/playground?model=${encodeURIComponent(name)}` }, 'Try in Playground') : null,
      isFinal(job.status) ? null : h('button.danger', { type: 'button', onclick: cancel }, 'Cancel')),
    job.error ? h('div.error', { role: 'alert' }, `${job.error.code}: ${job.error.message}`) : null,
    h('dl.kv', {},
      h('dt', {}, 'Base'), h('dd', {}, job.model || '—'),
      h('dt', {}, 'Method'), h('dd', {}, job.method || '—'),
      h('dt', {}, 'Dataset'), h('dd.mono', {}, job.dataset || '—'),
      h('dt', {}, 'Device'), h('dd', {}, job.device || '—'),
      h('dt', {}, 'Step'), h('dd', {}, job.step != null ? `${job.step} / ${job.total_steps ?? '?'} (epoch ${fmtNum(job.epoch, 2)})` : '—'),
      h('dt', {}, 'ETA'), h('dd', {}, job.status === 'running' ? fmtDuration(job.eta_seconds) : '—'),
      h('dt', {}, 'Eval loss before → after'), h('dd', {}, `${fmtNum(job.eval_loss_before)} → ${fmtNum(job.eval_loss_after)}`,
        change !== null ? h('span.muted', {}, ` (${change <= 0 ? '' : '+'}${change.toFixed(4)})`) : null),
      h('dt', {}, 'Trained tokens'), h('dd', {}, job.trained_tokens ?? '—'),
      h('dt', {}, 'Model'), h('dd.mono', {}, job.model_path || '—'),
      h('dt', {}, 'Latest'), h('dd', {}, job.promotion || (job.promoted ? 'promoted' : '—')),
      h('dt', {}, 'Created / started / finished'), h('dd', {}, `${fmtTime(job.created_at)} / ${fmtTime(job.started_at)} / ${fmtTime(job.finished_at)}`)),
  ];
}

async function loadCheckpoints(jobId, box) {
  try {
    const body = await get(`/v1/fine_tuning/jobs/${encodeURIComponent(jobId)}/checkpoints`);
    box.replaceChildren(body.data.length === 0 ? h('p.muted', {}, 'No checkpoints kept.') : h('ul.plain', {},
      body.data.map((c) => h('li', {},
        h('span.mono', {}, c.fine_tuned_model_checkpoint), ` step ${c.step_number} `,
        c.metrics?.train_loss !== undefined ? h('span.muted', {}, `loss ${fmtNum(c.metrics.train_loss)} `) : null,
        h('a.button', { href: `#/playground?model=${encodeURIComponent(c.fine_tuned_model_checkpoint)}`,
          'aria-label': `Use in Playground: checkpoint at step ${c.step_number}` }, 'Use in Playground')))));
  } catch (e) {
    box.replaceChildren(errorBox(e));
  }
}
