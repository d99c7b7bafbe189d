// Compare: fine-tune several bases on one dataset (POST /api/finetune/compare) and show the comparison
// (GET /api/finetune/compare/{id}): the table with the best marked, eval-loss curves overlaid, held-out answers.
import { get, post } from './api.js';
import { h, errorBox, fmtNum, fmtDuration, statusBadge, field, errorSlot, clearFieldErrors, showFieldError, keepFocus } from './ui.js';
import { lineChart } from './chart.js';

const colour = (i) => `c${(i % 6) + 1}`;

export function render(view, [id]) {
  return id ? renderReport(view, id) : renderForm(view);
}

// Which control an API error's param names ("models[2]" is one of the chosen bases).
const FIELD_OF = [
  [/^models(\[\d+\])?$/, 'cmp-models'], [/^dataset_url$/, 'cmp-dataset'], [/^epochs$/, 'cmp-epochs'],
  [/^samples$/, 'cmp-samples'], [/^seed$/, 'cmp-seed'],
];

function renderForm(view) {
  const message = h('div');
  const more = h('input#cmp-more', { type: 'text', placeholder: 'tiny-gpt2-finetuned-20240115_103045', 'aria-describedby': 'cmp-models-error' });
  const checkboxes = h('div.radio-row');
  const models = h('fieldset#f-cmp-models', { 'aria-describedby': 'cmp-models-error' }, h('legend', {}, 'Bases to compare (2 to 8)'),
    checkboxes, h('div.field', {}, h('label', { for: 'cmp-more' }, 'Other models (fine-tuned names, comma-separated)'), more),
    errorSlot('cmp-models'));
  const dataset = h('input#cmp-dataset', { required: true, placeholder: 'data/frigo_training.csv' });
  const epochs = h('input#cmp-epochs', { value: 'auto', inputmode: 'numeric' });
  const samples = h('input#cmp-samples', { type: 'number', min: 0, max: 20, value: 5 });
  const seed = h('input#cmp-seed', { type: 'number', min: 0, value: 42 });
  const form = h('form.stack', { novalidate: true, onsubmit: (e) => { e.preventDefault(); start(); } },
    models,
    h('div.fields', {},
      field('cmp-dataset', 'Dataset under the data root', dataset),
      field('cmp-epochs', 'Epochs', epochs, '"auto" or 1–20'),
      field('cmp-samples', 'Held-out prompts answered', samples, '0 to 20'),
      field('cmp-seed', 'Seed', seed)),
    h('div.toolbar', {}, h('button.primary', { type: 'submit' }, 'Start comparison')));
  const openId = h('input#cmp-open', { required: true, placeholder: 'cmp-…' });
  const open = h('form.stack', { onsubmit: (e) => { e.preventDefault(); location.hash = `#/compare/${encodeURIComponent(openId.value.trim())}`; } },
    field('cmp-open', 'Open a comparison by id', openId), h('div.toolbar', {}, h('button', { type: 'submit' }, 'Open')));
  view.append(h('h1', {}, 'Compare bases'), message, h('section.card', {}, form), h('section.card', {}, open));

  // The bases on disk: the catalog's present ones and local folders the catalog does not name (tiny-gpt2).
  get('/api/finetune/info').then((info) => {
    const catalog = info.catalog || [];
    const names = new Set(catalog.map((c) => c.name));
    const present = [...(info.supported_models || []).filter((m) => !names.has(m)), ...catalog.filter((c) => c.present).map((c) => c.name)];
    checkboxes.replaceChildren(...present.map((name) => h('label', {}, h('input', { type: 'checkbox', name: 'model', value: name }), name)));
  }).catch((e) => message.replaceChildren(errorBox(e)));

  async function start() {
    clearFieldErrors(form, message);
    const typed = more.value.split(',').map((m) => m.trim()).filter(Boolean);
    const chosen = [...[...form.querySelectorAll('input[name=model]:checked')].map((c) => c.value), ...typed];
    const body = { models: chosen, dataset_url: dataset.value.trim(), samples: Number(samples.value), seed: Number(seed.value) };
    const e = epochs.value.trim();
    if (e && e !== 'auto') body.epochs = isNaN(Number(e)) ? e : Number(e);
    try {
      const started = await post('/api/finetune/compare', body);
      location.hash = `#/compare/${started.comparison_id}`;
    } catch (error) {
      showFieldError(form, message, error, FIELD_OF);
    }
  }
}

function renderReport(view, id) {
  const message = h('div');
  const table = h('div');
  const chart = h('div');
  const samples = h('div');
  view.append(h('h1', {}, `Comparison ${id}`), message, h('section.card', {}, table), h('section.card', {}, h('h2', {}, 'Eval loss per step'), chart), samples);
  let timer = null;
  let stopped = false;
  async function load() {
    try {
      const report = await get(`/api/finetune/compare/${encodeURIComponent(id)}`);
      keepFocus(table, () => table.replaceChildren(reportTable(report)));
      lineChart(chart, report.models.map((m, i) => ({
        name: m.model, cls: colour(i), points: (m.eval_history || []).map((e) => ({ x: e.step, y: e.eval_loss })),
      })));
      samples.replaceChildren(samplesTable(report));
      message.replaceChildren();
      // The held-out answers are generated after the jobs end, so keep polling until they are in too.
      if (!stopped && (report.status !== 'completed' || report.samples_status === 'generating')) {
        timer = setTimeout(load, 3000);
      }
    } catch (e) {
      message.replaceChildren(errorBox(e));
      // A lost connection or a restart: keep trying (a 404 for an unknown id will not heal).
      if (!stopped && e.status !== 404) timer = setTimeout(load, 5000);
    }
  }
  load();
  return () => { stopped = true; clearTimeout(timer); };
}

function reportTable(report) {
  const columns = ['Model', 'Status', 'Method', 'Eval before', 'Eval after', 'Change', 'Train time', 'Tokens/s', 'Parameters', 'Size', 'Job'];
  return h('div', {},
    h('p', {}, report.best ? ['Best: ', h('strong', {}, report.best), ' (lowest eval loss after training).'] : `Status: ${report.status}.`),
    h('div.table-wrap', {}, h('table.jobs', {},
      h('thead', {}, h('tr', {}, columns.map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, report.models.map((m) => h('tr', {},
        h('td.mono', { 'data-label': 'Model' }, m.model === report.best ? `${m.model} ★` : m.model),
        h('td', { 'data-label': 'Status' }, statusBadge(m.status), m.error ? h('div.small.muted', {}, m.error) : null),
        h('td', { 'data-label': 'Method' }, m.method || '—'),
        h('td', { 'data-label': 'Eval before' }, fmtNum(m.eval_loss_before)),
        h('td', { 'data-label': 'Eval after' }, fmtNum(m.eval_loss_after)),
        h('td', { 'data-label': 'Change' }, fmtNum(m.eval_loss_change)),
        h('td', { 'data-label': 'Train time' }, m.train_seconds === null || m.train_seconds === undefined ? '—' : fmtDuration(m.train_seconds)),
        h('td', { 'data-label': 'Tokens/s' }, fmtNum(m.tokens_per_second, 0)),
        h('td', { 'data-label': 'Parameters' }, m.parameters ? `${(m.parameters / 1e6).toFixed(1)}M` : '—'),
        h('td', { 'data-label': 'Size' }, m.folder_bytes ? `${(m.folder_bytes / 1e6).toFixed(1)} MB` : '—'),
        h('td', { 'data-label': 'Job' }, m.job_id ? h('a', { href: `#/jobs/${encodeURIComponent(m.job_id)}`, 'data-key': m.job_id }, m.job_id) : '—')))))));
}

function samplesTable(report) {
  if (report.samples_status === 'generating') return h('p.muted', { role: 'status' }, 'Answering the held-out prompts with each fine-tuned model…');
  if (report.samples_status === 'failed') return h('div.error', { role: 'alert' }, report.samples_error);
  if (!report.samples || report.samples.length === 0) return h('div');
  const names = report.models.filter((m) => m.status === 'succeeded').map((m) => m.model);
  return h('section.card', {}, h('h2', {}, 'Held-out prompts'), h('div.table-wrap', {}, h('table.jobs.samples', {},
    h('thead', {}, h('tr', {}, ['Prompt', 'Expected', ...names].map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, report.samples.map((s) => h('tr', {},
      h('td', { 'data-label': 'Prompt' }, s.prompt),
      h('td', { 'data-label': 'Expected' }, s.expected || ''),
      names.map((n) => h('td', { 'data-label': n }, (s.answers || {})[n] || ''))))))));
}
