// Compare: fine-tune several bases on one dataset (POST /api/finetune/compare) and show the comparison
// (GET /api/finetune/compare/{id}): the table with the best marked, eval-loss curves overlaid, held-out answers.
import { get, post } from './api.js';
import { h, errorBox, fmtNum, fmtDuration, statusBadge } from './ui.js';
import { lineChart } from './chart.js';

const colour = (i) => `c${(i % 6) + 1}`;

export function render(view, [id]) {
  return id ? renderReport(view, id) : renderForm(view);
}

function renderForm(view) {
  const message = h('div');
  const models = h('fieldset.fields', {}, h('legend', {}, 'Bases to compare (2 to 8)'));
  const form = h('form.stack', { onsubmit: (e) => { e.preventDefault(); start(); } },
    models,
    h('div.fields', {},
      h('label', {}, 'Dataset under the data root', h('input', { name: 'dataset_url', required: true, placeholder: 'data/frigo_training.csv' })),
      h('label', {}, 'Epochs', h('input', { name: 'epochs', value: 'auto' })),
      h('label', {}, 'Held-out prompts answered', h('input', { name: 'samples', type: 'number', min: 0, max: 20, value: 5 })),
      h('label', {}, 'Seed', h('input', { name: 'seed', type: 'number', min: 0, value: 42 }))),
    h('button', { type: 'submit' }, 'Start comparison'));
  const open = h('form.stack', { onsubmit: (e) => { e.preventDefault(); location.hash = `#/compare/${encodeURIComponent(open.elements.id.value.trim())}`; } },
    h('label', {}, 'Open a comparison by id', h('input', { name: 'id', placeholder: 'cmp-…', required: true })), h('button', { type: 'submit' }, 'Open'));
  view.append(h('h1', {}, 'Compare bases'), message, h('section.card', {}, form), h('section.card', {}, open));

  // The bases on disk: the catalog's present ones and local folders the catalog does not name (tiny-gpt2).
  get('/api/finetune/info').then((info) => {
    const catalog = info.catalog || [];
    const names = new Set(catalog.map((c) => c.name));
    const present = [...(info.supported_models || []).filter((m) => !names.has(m)), ...catalog.filter((c) => c.present).map((c) => c.name)];
    for (const name of present) models.append(h('label.inline', {}, h('input', { type: 'checkbox', name: 'model', value: name }), ` ${name}`));
    models.append(h('label', {}, 'Other models (fine-tuned names, comma-separated)', h('input', { name: 'more', placeholder: 'tiny-gpt2-finetuned-20240115_103045' })));
  }).catch((e) => message.replaceChildren(errorBox(e)));

  async function start() {
    message.replaceChildren();
    const f = form.elements;
    const more = (f.more ? f.more.value : '').split(',').map((m) => m.trim()).filter(Boolean);
    const chosen = [...[...form.querySelectorAll('input[name=model]:checked')].map((c) => c.value), ...more];
    const body = { models: chosen, dataset_url: f.dataset_url.value.trim(), samples: Number(f.samples.value), seed: Number(f.seed.value) };
    const epochs = f.epochs.value.trim();
    if (epochs && epochs !== 'auto') body.epochs = Number(epochs);
    try {
      const started = await post('/api/finetune/compare', body);
      location.hash = `#/compare/${started.comparison_id}`;
    } catch (e) {
      message.replaceChildren(errorBox(e));
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
  async function load() {
    try {
      const report = await get(`/api/finetune/compare/${encodeURIComponent(id)}`);
      table.replaceChildren(reportTable(report));
      lineChart(chart, report.models.map((m, i) => ({
        name: m.model, cls: colour(i), points: (m.eval_history || []).map((e) => ({ x: e.step, y: e.eval_loss })),
      })));
      samples.replaceChildren(samplesTable(report));
      // The held-out answers are generated after the jobs end, so keep polling until they are in too.
      if (report.status !== 'completed' || report.samples_status === 'generating') timer = setTimeout(load, 3000);
    } catch (e) {
      message.replaceChildren(errorBox(e));
    }
  }
  load();
  return () => clearTimeout(timer);
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
        h('td', { 'data-label': 'Job' }, m.job_id ? h('a', { href: `#/jobs/${encodeURIComponent(m.job_id)}` }, m.job_id) : '—')))))));
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
