// Models: fine-tuned folders (GET /api/finetune/models) with size, base, created and the latest marker, promote
// (POST /api/finetune/models/{name}/promote), delete (DELETE /v1/models/{name}); and the bases of the catalog
// (GET /api/finetune/info) with what they need. Each model opens in the Playground.
import { get, post, del } from './api.js';
import { h, copy, errorBox, showRowError, announce } from './ui.js';

export function render(view) {
  const message = h('div');
  const fineTuned = h('div');
  const bases = h('div');
  view.append(h('div.toolbar', {}, h('h1', {}, 'Models'), h('button', { type: 'button', onclick: () => load() }, 'Refresh')),
    message,
    h('section.card', {}, h('h2', {}, 'Fine-tuned models'), fineTuned),
    h('section.card', {}, h('h2', {}, 'Base models'), bases));

  async function load() {
    message.replaceChildren();
    try {
      const [models, info] = await Promise.all([get('/api/finetune/models'), get('/api/finetune/info')]);
      fineTuned.replaceChildren(models.models.length === 0 ? h('p.muted', {}, 'No fine-tuned model yet.') : fineTunedTable(models.models, load));
      bases.replaceChildren(baseTable(info));
    } catch (e) {
      message.replaceChildren(errorBox(e));
    }
  }
  load();
}

// A failed promote or delete is shown in its row, next to the button (the list is only reloaded on success).
function fineTunedTable(models, reload) {
  const act = (fn, done) => async (event) => {
    const cell = event.currentTarget.closest('td');
    try {
      if (await fn() === false) return;
      announce(done);
      reload();
    } catch (e) {
      showRowError(cell, e);
    }
  };
  const remove = (m) => () => (confirm(`Delete ${m.name} and its folder?`) ? del(`/v1/models/${encodeURIComponent(m.name)}`) : false);
  return h('div.table-wrap', {}, h('table.jobs', {},
    h('thead', {}, h('tr', {}, ['Name', 'Base', 'Created', 'Size', 'Latest', 'Actions'].map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, models.map((m) => h('tr', {},
      h('td.mono', { 'data-label': 'Name' }, m.name),
      h('td', { 'data-label': 'Base' }, m.base_model),
      h('td', { 'data-label': 'Created' }, m.created.replace('T', ' ')),
      h('td', { 'data-label': 'Size' }, `${m.size_mb} MB`),
      h('td', { 'data-label': 'Latest' }, m.latest ? h('span.badge.s-succeeded', { title: `latest:${m.base_model} (${m.latest_source})` }, `latest (${m.latest_source})`) : ''),
      h('td.actions', { 'data-label': 'Actions' },
        h('button', { type: 'button', 'aria-label': `Copy name ${m.name}`, onclick: (e) => copy(m.name, e.currentTarget) }, 'Copy name'),
        h('a.button', { href: `#/playground?model=${encodeURIComponent(m.name)}`, 'aria-label': `Playground with ${m.name}` }, 'Playground'),
        m.latest && m.latest_source === 'promoted' ? null
          : h('button', { type: 'button', title: `Make this latest:${m.base_model}`, 'aria-label': `Promote ${m.name} to latest:${m.base_model}`,
            onclick: act(() => post(`/api/finetune/models/${encodeURIComponent(m.name)}/promote`), `Promoted ${m.name}`) }, 'Promote'),
        h('button.danger', { type: 'button', 'aria-label': `Delete ${m.name}`, onclick: act(remove(m), `Deleted ${m.name}`) }, 'Delete')))))));
}

function baseTable(info) {
  const rows = (info.catalog || []).map((c) => h('tr', {},
    h('td.mono', { 'data-label': 'Name' }, c.name),
    h('td', { 'data-label': 'Family' }, c.family),
    h('td', { 'data-label': 'Parameters' }, `${(c.parameters / 1e6).toFixed(0)}M`),
    h('td', { 'data-label': 'Context' }, c.context_length),
    h('td', { 'data-label': 'Memory' }, `full ${c.full_fine_tune_gb} GB · LoRA ${c.lora_fine_tune_gb} GB`),
    h('td', { 'data-label': 'Here' }, c.present ? h('span.badge.s-succeeded', {}, 'present') : h('code', {}, c.pull_command)),
    h('td.actions', { 'data-label': 'Actions' }, c.present
      ? h('a.button', { href: `#/playground?model=${encodeURIComponent(c.name)}`, 'aria-label': `Playground with ${c.name}` }, 'Playground') : '')));
  return h('div', {},
    h('div.table-wrap', {}, h('table.jobs', {},
      h('thead', {}, h('tr', {}, ['Name', 'Family', 'Parameters', 'Context', 'Memory', 'Here', 'Actions'].map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, rows))),
    info.note ? h('p.muted', {}, info.note) : null,
    h('p.muted.small', {}, 'Devices: ', (info.devices || []).map((d) => `${d.name}${d.available === false ? ' (unavailable)' : ''}`).join(', ') || '—'));
}
