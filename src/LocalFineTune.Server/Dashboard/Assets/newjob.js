// New job: training data uploaded (POST /v1/files, then POST /v1/fine_tuning/jobs) or named under the data root
// (POST /api/finetune/start); base from GET /api/finetune/info's catalog; method; hyperparameters with "auto";
// seed, suffix, validation file. "Check data" (and every Start, first) asks POST /api/finetune/validate and shows its
// report inline; Start is refused while the data is invalid. Uploads are sent once and their ids reused for the start.
// An API error is shown next to the field it names (ProblemDetails param / OpenAI error.param), or above the form
// when it names none.
import { get, request, post, ApiError } from './api.js';
import { h, errorBox, field, clearFieldErrors, showFieldError } from './ui.js';
import { renderReport, renderRefusal } from './validation.js';

// Which input an API error's param belongs to (both APIs' spellings, nested /v1 paths included).
const FIELD_OF = [
  [/(^|\.)(n_epochs|epochs)$/, 'epochs'], [/(^|\.)batch_size$/, 'batch'], [/(^|\.)learning_rate(_multiplier)?$/, 'lr'],
  [/^model$/, 'model'], [/^(dataset_url|training_file|file|purpose)$/, 'data'], [/^validation_file$/, 'validation'],
  [/^suffix$/, 'suffix'], [/^seed$/, 'seed'], [/(^|\.)(method|type|beta|lora.*)$/, 'method'],
];

export function render(view) {
  // top: API errors naming no field (cleared on each try); notice: what the catalog says about the bases.
  const top = h('div');
  const notice = h('div');
  const modelSelect = h('select#model', { required: true });
  const upload = h('input#data-file', { type: 'file', accept: '.jsonl,.csv' });
  // The field's <label for> names the upload box; the path box, shown instead of it, needs its own name.
  const path = h('input#data-path', { type: 'text', placeholder: 'data/train.jsonl', hidden: true, 'aria-label': 'Path under the data root' });
  const validation = h('input#validation', { type: 'file', accept: '.jsonl,.csv' });
  const suffix = h('input#suffix', { type: 'text', placeholder: 'optional, e.g. frigo', maxlength: 64 });
  const seed = h('input#seed', { type: 'number', value: '42', min: 0 });
  const epochs = h('input#epochs', { type: 'text', value: 'auto', inputmode: 'numeric' });
  const batch = h('input#batch', { type: 'text', value: 'auto', inputmode: 'numeric' });
  const lr = h('input#lr', { type: 'text', value: 'auto', inputmode: 'decimal' });
  const method = h('select#method', {}, ['auto', 'full', 'lora', 'dpo'].map((m) => h('option', { value: m }, m)));
  const source = (value, label, checked) => h('label', {}, h('input', { type: 'radio', name: 'source', value, checked }), label);
  const submit = h('button.primary', { type: 'submit' }, 'Start fine-tuning');
  const checkButton = h('button#check-data', { type: 'button', 'aria-controls': 'validation-report' }, 'Check data');
  const report = h('section#validation-report.card', { 'aria-labelledby': 'validation-title', 'aria-live': 'polite', tabindex: '-1', hidden: true });
  const uploads = new UploadCache();
  const lrLabel = h('span', {}, 'Learning rate multiplier');
  const form = h('form.stack.card', { novalidate: true },
    h('fieldset', {}, h('legend', {}, 'Training data'),
      h('div.radio-row', { role: 'radiogroup' }, source('upload', 'Upload a file', true), source('path', 'A file under the data root')),
      field('data', 'File (.jsonl or .csv)', h('div', {}, upload, path),
        'Upload: sent with POST /v1/files. Data root: a path relative to the server\'s --data-root.')),
    h('div.fields', {},
      field('model', 'Base model', modelSelect, 'From the catalog; one not downloaded yet needs lft pull (or Models:AutoDownload).'),
      field('method', 'Method', method, 'auto picks LoRA when full fine-tuning would not fit the device.'),
      field('epochs', 'Epochs', epochs, '"auto" or 1–20'),
      field('batch', 'Batch size', batch, '"auto" or 1–16'),
      field('lr', lrLabel, lr, '"auto" = the base\'s default'),
      field('seed', 'Seed', seed),
      field('suffix', 'Suffix', suffix, 'Part of the fine-tuned model\'s name (uploaded data only).'),
      field('validation', 'Validation file', validation, 'Optional; otherwise 10% of the training data is held out (uploaded data only).')),
    h('div.toolbar', {}, checkButton, submit));
  view.append(h('div.toolbar', {}, h('h1', {}, 'New fine-tuning job')), notice, top, form, report);

  const mode = () => form.querySelector('input[name=source]:checked').value;
  form.querySelectorAll('input[name=source]').forEach((r) => r.addEventListener('change', () => {
    const byPath = mode() === 'path';
    upload.hidden = byPath; path.hidden = !byPath;
    suffix.disabled = byPath; validation.disabled = byPath;
    // /api/finetune/start takes an absolute learning rate; /v1 a multiplier of the base's default.
    lrLabel.textContent = byPath ? 'Learning rate' : 'Learning rate multiplier';
  }));

  loadModels(modelSelect, notice);
  const values = () => ({ model: modelSelect.value, method: method.value, epochs: epochs.value, batch: batch.value, lr: lr.value, seed: seed.value, suffix: suffix.value });
  const data = async () => (mode() === 'path'
    ? { datasetUrl: path.value.trim() }
    : { trainingFile: await uploads.id(upload.files[0], 'training_file'), validationFile: await uploads.id(validation.files[0], 'validation_file') });

  /** Runs the check and shows its report; true when the data is valid. Errors of the call itself go next to their field. */
  async function check() {
    report.hidden = false;
    report.replaceChildren(h('h2#validation-title', {}, 'Checking the data…'));
    const result = await post('/api/finetune/validate', validateBody(await data(), values()));
    renderReport(report, result);
    return result.valid;
  }

  /** Both buttons share one busy state, so a check and a start never overlap. */
  async function busy(action) {
    clearFieldErrors(form, top);
    submit.disabled = true; checkButton.disabled = true;
    try {
      await action();
    } catch (e) {
      if (report.querySelector('#validation-title')?.textContent === 'Checking the data…') report.hidden = true;
      showFieldError(form, top, e, FIELD_OF);
    } finally {
      submit.disabled = false; checkButton.disabled = false;
    }
  }

  checkButton.addEventListener('click', () => busy(check));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    busy(async () => {
      if (!(await check())) {
        renderRefusal(report);
        report.focus();
        return;
      }
      const d = await data();
      const jobId = mode() === 'path' ? await startFromPath(d.datasetUrl, values()) : await startFromUpload(d, values());
      location.hash = `#/jobs/${encodeURIComponent(jobId)}`;
    });
  });
}

/**
 * Uploaded files by the choice they came from: the same file (name, size, last change) chosen again is not sent
 * twice, so "Check data" and then Start upload once; a different file is uploaded when it is next needed.
 */
class UploadCache {
  constructor() { this.ids = new Map(); }

  async id(file, param) {
    if (!file) {
      if (param === 'training_file') throw new ApiError(400, 'Choose a .jsonl or .csv file to upload.', 'training_file');
      return undefined;
    }
    const key = `${file.name}\u0000${file.size}\u0000${file.lastModified}`;
    const known = this.ids.get(param);
    if (known && known.key === key) return known.id;
    const id = await uploadFile(file, param);
    this.ids.set(param, { key, id });
    return id;
  }
}

/** POST /api/finetune/validate takes the start body; with uploads, their ids instead of dataset_url. The /v1 learning
 * rate multiplier has no absolute equivalent here, and the rate changes neither the check nor the estimate. */
function validateBody(d, v) {
  const common = { model: v.model, method: v.method, epochs: auto(v.epochs), batch_size: auto(v.batch), seed: auto(v.seed) };
  if (d.datasetUrl !== undefined) {
    if (!d.datasetUrl) throw new ApiError(400, 'Name a file under the data root, such as data/train.jsonl.', 'dataset_url');
    return { ...common, dataset_url: d.datasetUrl, learning_rate: auto(v.lr) };
  }
  return { ...common, training_file: d.trainingFile, validation_file: d.validationFile };
}

async function loadModels(select, notice) {
  try {
    const info = await get('/api/finetune/info');
    const catalog = info.catalog || [];
    const names = new Set(catalog.map((c) => c.name));
    const local = (info.supported_models || []).filter((m) => !names.has(m));
    const options = [
      ...local.map((m) => h('option', { value: m }, `${m} (present)`)),
      ...catalog.map((c) => h('option', { value: c.name },
        `${c.name} · ${(c.parameters / 1e6).toFixed(0)}M · ${c.present ? 'present' : `not downloaded (${c.pull_command})`}`)),
    ];
    select.replaceChildren(...options);
    const firstPresent = [...select.options].find((o) => o.textContent.includes('present') && !o.textContent.includes('not downloaded'));
    if (firstPresent) select.value = firstPresent.value;
    if (!info.available) notice.append(h('div.banner.inline', {}, info.note || 'No trainable base is present yet: run lft pull <model> on the server.'));
  } catch (e) {
    notice.append(errorBox(e));
  }
}

/** "auto" (or empty) → undefined so the field is left out; a number otherwise; anything else is the API's to refuse. */
function auto(value) {
  const v = String(value).trim();
  if (v === '' || v.toLowerCase() === 'auto') return undefined;
  return isNaN(Number(v)) ? v : Number(v);
}

async function startFromPath(datasetUrl, v) {
  if (!datasetUrl) throw new ApiError(400, 'Name a file under the data root, such as data/train.jsonl.', 'dataset_url');
  const body = { model: v.model, dataset_url: datasetUrl, method: v.method, epochs: auto(v.epochs), batch_size: auto(v.batch),
    learning_rate: auto(v.lr), seed: auto(v.seed) };
  return (await post('/api/finetune/start', body)).job_id;
}

async function uploadFile(file, param) {
  const form = new FormData();
  form.append('purpose', 'fine-tune');
  form.append('file', file);
  try {
    return (await (await request('POST', '/v1/files', { form })).json()).id;
  } catch (e) {
    if (e instanceof ApiError && (!e.param || e.param === 'file')) e.param = param;
    throw e;
  }
}

async function startFromUpload({ trainingFile, validationFile: validationId }, v) {
  const hyperparameters = { n_epochs: auto(v.epochs) ?? 'auto', batch_size: auto(v.batch) ?? 'auto', learning_rate_multiplier: auto(v.lr) ?? 'auto' };
  const type = v.method === 'dpo' ? 'dpo' : 'supervised';
  const body = {
    model: v.model, training_file: trainingFile, validation_file: validationId, suffix: v.suffix.trim() || undefined,
    seed: auto(v.seed), method: { type, [type]: { hyperparameters } },
  };
  if (v.method === 'full' || v.method === 'lora') body.lft = { method: v.method };
  return (await post('/v1/fine_tuning/jobs', body)).id;
}
