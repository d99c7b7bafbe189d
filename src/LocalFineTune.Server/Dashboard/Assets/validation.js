// The data check's report (POST /api/finetune/validate) rendered into New job's section#validation-report: counts,
// tokens, truncation, warnings, the time estimate with its basis, and the errors by line with their codes.
import { h, fmtDuration } from './ui.js';

const int = (x) => (x === null || x === undefined ? '—' : Number(x).toLocaleString());
const plural = (n, word) => `${int(n)} ${word}${n === 1 ? '' : 's'}`;

/** Replaces the section's content with the report of one check. */
export function renderReport(section, { valid, report, estimate }) {
  section.hidden = false;
  const title = valid ? 'Data check: valid' : `Data check: ${plural(report.error_count, 'error')}`;
  // replaceChildren would print each absent part (no warnings, no estimate, no errors) as the text "null".
  section.replaceChildren(...[
    h('h2#validation-title', { class: valid ? 'ok-text' : 'error-text' }, title),
    h('dl.kv', {}, ...facts(report)),
    warnings(report),
    estimate ? estimateBox(estimate) : null,
    errorsTable(report)].filter(Boolean));
}

/** Start was refused: said above the report, which keeps the errors to fix. */
export function renderRefusal(section) {
  const note = h('p#start-refused.error', { role: 'alert' }, 'Not started: the data has errors. Fix the lines listed below, then start again.');
  section.querySelector('#validation-title').after(note);
}

function facts(r) {
  const kinds = r.example_kinds || {};
  const tokens = r.tokens_per_example;
  const rows = [
    ['Training examples', int(r.n_examples)],
    ['Validation examples', int(r.n_validation_examples)],
    ['Kinds', `text ${int(kinds.text)}, prompt/completion ${int(kinds.prompt_completion)}, chat ${int(kinds.chat)}`],
    ['Tokens per example', tokens ? `min ${int(tokens.min)} · mean ${Number(tokens.mean).toFixed(1)} · max ${int(tokens.max)}` : '—'],
    ['Tokens per epoch', int(r.tokens_per_epoch)],
    ['Total training tokens', r.total_training_tokens === null ? '—' : `${int(r.total_training_tokens)} (${plural(r.epochs, 'epoch')})`],
    ['Truncated', r.n_truncated === null ? '—'
      : `${plural(r.n_truncated, 'example')} longer than max_seq_length ${int(r.max_seq_length)} (cut to it in training)`],
  ];
  return rows.flatMap(([name, value]) => [h('dt', {}, name), h('dd', { 'data-fact': name }, value)]);
}

function warnings(r) {
  if (!r.warnings || r.warnings.length === 0) return null;
  const more = r.warnings_not_shown > 0 ? h('li.muted', {}, `and ${plural(r.warnings_not_shown, 'more warning')}`) : null;
  return h('div.validation-warnings', {}, h('h3', {}, `Warnings (${int(r.warning_count)})`),
    h('ul.plain', {}, r.warnings.map((w) => h('li', {}, h('code', {}, w.code), ' ', w.message)), more));
}

function estimateBox(e) {
  return h('div#estimate', {},
    h('h3', {}, 'Estimated time'),
    h('p', {}, h('strong', {}, fmtDuration(e.seconds)), ` on ${e.device}: ${plural(e.total_steps, 'step')}, `,
      `${int(e.training_tokens)} tokens at about ${int(Math.round(e.tokens_per_second))} tokens/s`,
      ` (${plural(e.epochs, 'epoch')}, batch ${e.batch_size}).`),
    h('p.hint.basis-note', { 'data-basis': e.basis }, e.basis_note));
}

function errorsTable(r) {
  if (!r.errors || r.errors.length === 0) return null;
  const rows = r.errors.map((e) => {
    const line = e.line ?? e.row;
    return h('tr', { 'data-line': line ?? undefined },
      h('td', {}, line === null || line === undefined ? '—' : String(line)), h('td.code', {}, h('code', {}, e.code)), h('td', {}, e.message));
  });
  const more = r.errors_not_shown > 0 ? h('p.muted', {}, `and ${plural(r.errors_not_shown, 'more error')} not shown`) : null;
  return h('div.table-wrap', {},
    h('table.validation-errors', {}, h('caption', {}, `Errors (${int(r.error_count)})`),
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Line'), h('th', { scope: 'col' }, 'Code'), h('th', { scope: 'col' }, 'Message'))),
      h('tbody', {}, rows)),
    more);
}
