// Schedules: recurring trainings (GET /api/finetune/schedules) with their cron and time zone, next and last run (and
// the job it started), promotion policy; run one now (POST …/{id}/run), delete one (DELETE …/{id}); and a form that
// creates one (POST /api/finetune/schedules: cron, time_zone, a /api/finetune/start body as "job" whose dataset_url
// may hold {yyyy-MM}, continue_from, promote, holdout). An API error is shown next to the field it names
// (ProblemDetails param, the job's fields as "job.<field>"), or above the form when it names none.
import { get, post, del } from './api.js';
import { h, fmtTime, errorBox, field, clearFieldErrors, showFieldError, showRowError, announce } from './ui.js';

const BASE = '/api/finetune/schedules';

const FIELD_OF = [
  [/^name$/, 's-name'], [/^cron$/, 's-cron'], [/^time_zone$/, 's-zone'], [/^job\.model$/, 's-model'],
  [/^job\.dataset_url$/, 's-dataset'], [/^job\.(n_)?epochs$/, 's-epochs'], [/^continue_from$/, 's-continue'],
  [/^promote$/, 's-promote'], [/^holdout$/, 's-holdout'],
];

const CRON_EXAMPLES = [
  ['0 3 1 * *', '03:00 on the 1st of each month'],
  ['0 2 * * 1', '02:00 every Monday'],
  ['30 1 * * *', '01:30 every day'],
];

const browserZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';

export function render(view) {
  const message = h('div');
  const list = h('div');
  view.append(
    h('div.toolbar', {}, h('h1', {}, 'Schedules'), h('button', { type: 'button', onclick: () => load() }, 'Refresh')),
    message,
    h('section.card', { 'aria-labelledby': 'schedules-h' }, h('h2#schedules-h', {}, 'Recurring trainings'), list),
    h('section.card', { 'aria-labelledby': 'new-schedule-h' }, h('h2#new-schedule-h', {}, 'New schedule'), createForm(message, () => load())));

  async function load() {
    try {
      const body = await get(BASE);
      list.replaceChildren(body.schedules.length === 0
        ? h('p.muted', {}, 'No schedules yet. Create one below, or with lft schedule add.')
        : table(body.schedules, message, load));
    } catch (e) {
      list.replaceChildren(errorBox(e));
    }
  }
  load();
}

/** A time in the schedule's own zone (what its cron means), with the zone named; the browser's zone if it lacks it. */
function fmtIn(iso, zone) {
  if (!iso) return '—';
  try {
    return `${new Date(iso).toLocaleString(undefined, { timeZone: zone, dateStyle: 'medium', timeStyle: 'short' })} (${zone})`;
  } catch {
    return fmtTime(iso);
  }
}

function table(schedules, message, reload) {
  const columns = ['Schedule', 'When', 'Next run', 'Last run', 'Training', 'Promote', 'Actions'];
  return h('div.table-wrap', {}, h('table.jobs', {},
    h('thead', {}, h('tr', {}, columns.map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, schedules.map((s) => row(s, message, reload)))));
}

function row(s, message, reload) {
  const label = s.name || s.id;
  const actions = h('td.actions', { 'data-label': 'Actions' });
  const runNow = async (event) => {
    const button = event.currentTarget;
    button.disabled = true;
    try {
      const started = await post(`${BASE}/${encodeURIComponent(s.id)}/run`);
      message.replaceChildren(h('div.ok-box', { role: 'status' }, `${label}: started job `,
        h('a.mono', { href: `#/jobs/${encodeURIComponent(started.job_id)}` }, started.job_id), ` on ${started.dataset}.`));
      await reload();
    } catch (e) {
      button.disabled = false;
      showRowError(actions, e);
    }
  };
  const remove = async () => {
    if (!confirm(`Delete the schedule ${label}? Its jobs and models stay.`)) return;
    try {
      await del(`${BASE}/${encodeURIComponent(s.id)}`);
      announce(`Deleted ${label}`);
      await reload();
    } catch (e) {
      showRowError(actions, e);
    }
  };
  actions.append(
    h('button', { type: 'button', 'aria-label': `Run now: ${label}`, onclick: runNow }, 'Run now'),
    h('button.danger', { type: 'button', 'aria-label': `Delete ${label}`, onclick: remove }, 'Delete'));
  return h('tr', {},
    h('td', { 'data-label': 'Schedule' }, s.name ? h('strong', {}, s.name) : null, h('div.mono.small.muted', {}, s.id)),
    h('td', { 'data-label': 'When' }, h('code', {}, s.cron), h('div.small.muted', {}, s.time_zone)),
    h('td', { 'data-label': 'Next run' }, fmtIn(s.next_run_at, s.time_zone)),
    h('td', { 'data-label': 'Last run' }, s.last_run_at ? fmtIn(s.last_run_at, s.time_zone) : 'never',
      s.last_job_id ? h('div', {}, h('a.mono.small', { href: `#/jobs/${encodeURIComponent(s.last_job_id)}` }, s.last_job_id)) : null,
      s.last_error ? h('div.small.error-text', {}, s.last_error) : null),
    h('td', { 'data-label': 'Training' }, s.base_model, s.continue_from === 'latest' ? h('span.muted', {}, ' (from latest)') : null,
      h('div.mono.small', {}, s.job?.dataset_url ?? '—')),
    h('td', { 'data-label': 'Promote' }, s.promote, s.holdout ? h('div.mono.small.muted', {}, `holdout ${s.holdout}`) : null),
    actions);
}

function createForm(message, reload) {
  const top = h('div');
  const name = h('input#s-name', { type: 'text', placeholder: 'frigo monthly', maxlength: 200 });
  const cron = h('input#s-cron', { type: 'text', value: CRON_EXAMPLES[0][0], required: true, spellcheck: 'false', autocomplete: 'off' });
  const zones = h('datalist#s-zone-list', {}, zoneNames().map((z) => h('option', { value: z })));
  const zone = h('input#s-zone', { type: 'text', value: browserZone(), list: 's-zone-list', required: true, autocomplete: 'off' });
  const model = h('select#s-model', { required: true });
  const dataset = h('input#s-dataset', { type: 'text', required: true, placeholder: 'data/frigo_{yyyy-MM}.csv', spellcheck: 'false' });
  const epochs = h('input#s-epochs', { type: 'text', value: 'auto', inputmode: 'numeric' });
  const from = h('select#s-continue', {}, h('option', { value: '' }, 'the base model'),
    h('option', { value: 'latest' }, 'the base\'s latest fine-tune (continue_from: latest)'));
  const promote = h('select#s-promote', {}, h('option', { value: 'always' }, 'always'), h('option', { value: 'if_better' }, 'if better on the holdout'));
  const holdout = h('input#s-holdout', { type: 'text', placeholder: 'data/frigo_holdout.csv', spellcheck: 'false' });
  const submit = h('button.primary', { type: 'submit' }, 'Create schedule');
  const examples = h('ul.plain.examples', { 'aria-label': 'Cron examples' }, CRON_EXAMPLES.map(([expr, meaning]) => h('li', {},
    h('button.link', { type: 'button', 'aria-label': `Use ${expr}: ${meaning}`, onclick: () => { cron.value = expr; cron.focus(); } }, h('code', {}, expr)),
    ` ${meaning}`)));

  const form = h('form.stack', { novalidate: true },
    top,
    h('div.fields', {},
      field('s-name', 'Name', name, 'Optional; shown in this list.'),
      field('s-cron', 'Cron (minute hour day month weekday)', cron, 'Five fields, in the time zone below. Examples:'),
      field('s-zone', 'Time zone', h('div', {}, zone, zones), 'An IANA id such as Europe/Paris or UTC; defaults to this browser\'s.'),
      field('s-model', 'Base model', model, 'From the catalog; it must be on the server (lft pull).'),
      field('s-dataset', 'Dataset path or pattern', dataset,
        'Under the data root. {yyyy-MM} (letters y M d H m) becomes the date of each run, so this month\'s file need not exist yet.'),
      field('s-epochs', 'Epochs', epochs, '"auto" or 1–20'),
      field('s-continue', 'Train from', from, 'latest: each run continues from the last promoted model (the base while there is none).'),
      field('s-promote', 'Promote the new model', promote, 'if better: only when its holdout eval loss beats the current latest.'),
      field('s-holdout', 'Holdout file', holdout, 'A fixed file under the data root; every run\'s validation set. Required for "if better".')),
    h('div.toolbar', {}, submit));
  // The examples sit under the cron hint, so the hint that introduces them stays next to them.
  form.querySelector('#s-cron-hint').after(examples);

  loadBases(model, top);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearFieldErrors(form, top);
    message.replaceChildren();
    submit.disabled = true;
    try {
      const body = requestBody({ name, cron, zone, model, dataset, epochs, from, promote, holdout });
      const created = await post(BASE, body);
      top.replaceChildren(h('div.ok-box', { role: 'status' },
        `Created ${created.name || created.id}; next run ${fmtIn(created.next_run_at, created.time_zone)}.`));
      name.value = '';
      await reload();
    } catch (e) {
      showFieldError(form, top, e, FIELD_OF);
    } finally {
      submit.disabled = false;
    }
  });
  return form;
}

/** The POST body; empty optional fields are left out (the server's defaults apply), "auto" epochs too. */
function requestBody(f) {
  const job = { model: f.model.value, dataset_url: f.dataset.value.trim() };
  const epochs = f.epochs.value.trim();
  if (epochs && epochs.toLowerCase() !== 'auto') job.epochs = isNaN(Number(epochs)) ? epochs : Number(epochs);
  const body = { cron: f.cron.value.trim(), time_zone: f.zone.value.trim() || undefined, job, promote: f.promote.value };
  if (f.name.value.trim()) body.name = f.name.value.trim();
  if (f.from.value) body.continue_from = f.from.value;
  if (f.holdout.value.trim()) body.holdout = f.holdout.value.trim();
  return body;
}

function zoneNames() {
  const names = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
  return ['UTC', ...names.filter((z) => z !== 'UTC')];
}

/** The bases a schedule can train: folders on disk the catalog does not name, then the catalog (present first). */
async function loadBases(select, top) {
  try {
    const info = await get('/api/finetune/info');
    const catalog = info.catalog || [];
    const names = new Set(catalog.map((c) => c.name));
    const local = (info.supported_models || []).filter((m) => !names.has(m));
    const sorted = [...catalog].sort((a, b) => Number(b.present) - Number(a.present));
    select.replaceChildren(
      ...local.map((m) => h('option', { value: m }, `${m} (present)`)),
      ...sorted.map((c) => h('option', { value: c.name }, `${c.name} · ${c.present ? 'present' : `not downloaded (${c.pull_command})`}`)));
  } catch (e) {
    top.replaceChildren(errorBox(e));
  }
}
