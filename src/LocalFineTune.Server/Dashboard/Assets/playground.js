// Playground: streams a chat or a completion from any model or checkpoint (POST /v1/chat/completions or
// /v1/completions with stream:true, read as server-sent events), with temperature, max tokens and stop sequences.
import { get, request, readSse } from './api.js';
import { h, errorBox, field, clearFieldErrors, showFieldError } from './ui.js';

// Which control an API error's param (OpenAI's error.param or ProblemDetails' param) belongs to.
const FIELD_OF = [
  [/^model$/, 'pg-model'], [/^temperature$/, 'pg-temp'], [/^max_(new_)?tokens$/, 'pg-max'], [/^stop(\[\d+\])?$/, 'pg-stop'],
  [/^messages\[0\]/, 'pg-system'], [/^(messages|prompt)/, 'pg-prompt'],
];

export function render(view, [preset]) {
  const models = h('datalist#model-list');
  const model = h('input#pg-model', { type: 'text', list: 'model-list', value: preset || '', placeholder: 'a base, an ft: name, a checkpoint or latest', required: true });
  const mode = h('select#pg-mode', {}, h('option', { value: 'chat' }, 'Chat'), h('option', { value: 'completion' }, 'Completion'));
  const system = h('input#pg-system', { type: 'text', placeholder: 'optional system message' });
  const prompt = h('textarea#pg-prompt', { required: true, placeholder: 'Frigo fait bruit fort' });
  const temperature = h('input#pg-temp', { type: 'number', min: 0, max: 2, step: 0.1, value: 0.7 });
  const maxTokens = h('input#pg-max', { type: 'number', min: 1, value: 64 });
  const stop = h('input#pg-stop', { type: 'text', placeholder: 'e.g. \\n, ###' });
  // Announced once complete (aria-busy while streaming), not token by token.
  const output = h('div.output', { 'aria-live': 'polite', 'aria-busy': 'false', 'aria-labelledby': 'pg-output-h', id: 'pg-output' });
  const usage = h('p.muted.small', { role: 'status' });
  const message = h('div');
  const send = h('button.primary', { type: 'submit' }, 'Generate');
  const abortButton = h('button', { type: 'button', disabled: true, 'aria-label': 'Stop generating' }, 'Stop');
  let controller = null;

  const form = h('form.stack.card', { novalidate: true },
    h('div.fields', {}, field('pg-model', 'Model', h('div', {}, model, models)), field('pg-mode', 'Mode', mode),
      field('pg-temp', 'Temperature', temperature), field('pg-max', 'Max tokens', maxTokens),
      field('pg-stop', 'Stop sequences (comma-separated; \\n = newline)', stop)),
    field('pg-system', 'System message (chat)', system),
    field('pg-prompt', 'Prompt', prompt),
    h('div.toolbar', {}, send, abortButton));
  view.append(h('div.toolbar', {}, h('h1', {}, 'Playground')), message, form,
    h('section.card', {}, h('h2#pg-output-h', {}, 'Output'), output, usage));

  get('/v1/models').then((list) => models.replaceChildren(...list.data.map((m) => h('option', { value: m.id }))))
    .catch((e) => message.replaceChildren(errorBox(e)));
  mode.addEventListener('change', () => { system.disabled = mode.value !== 'chat'; });
  abortButton.addEventListener('click', () => controller?.abort());

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearFieldErrors(form, message);
    output.textContent = '';
    output.setAttribute('aria-busy', 'true');
    usage.textContent = '';
    controller = new AbortController();
    send.disabled = true;
    abortButton.disabled = false;
    const chat = mode.value === 'chat';
    const stops = stop.value.split(',').map((s) => s.trim().replaceAll('\\n', '\n')).filter((s) => s.length > 0);
    const body = {
      model: model.value.trim(), stream: true, temperature: Number(temperature.value), max_tokens: Number(maxTokens.value),
      stop: stops.length ? stops : undefined,
      ...(chat
        ? { messages: [...(system.value.trim() ? [{ role: 'system', content: system.value }] : []), { role: 'user', content: prompt.value }] }
        : { prompt: prompt.value }),
    };
    const started = performance.now();
    let pieces = 0;
    try {
      const response = await request('POST', chat ? '/v1/chat/completions' : '/v1/completions', { json: body, signal: controller.signal });
      await readSse(response, (_, chunk) => {
        const choice = chunk.choices?.[0];
        const text = chat ? choice?.delta?.content : choice?.text;
        if (text) { output.textContent += text; pieces++; }
        if (choice?.finish_reason) usage.textContent = `finish: ${choice.finish_reason}`;
      });
      usage.textContent += ` · ${pieces} chunks in ${((performance.now() - started) / 1000).toFixed(1)} s`;
    } catch (e) {
      // messages[0] is the system message only when one was sent; otherwise it is the prompt.
      const fieldOf = chat && system.value.trim() ? FIELD_OF : FIELD_OF.filter(([, id]) => id !== 'pg-system');
      if (e.name !== 'AbortError') showFieldError(form, message, e, fieldOf);
    } finally {
      output.setAttribute('aria-busy', 'false');
      send.disabled = false;
      abortButton.disabled = true;
    }
  });
}
