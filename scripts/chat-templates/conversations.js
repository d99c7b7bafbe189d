// The conversations every template is rendered with. "only" limits a conversation to the templates it targets.
'use strict';
module.exports = {
  'system-multi-turn': {
    messages: [
      { role: 'system', content: 'You are a concise assistant.' },
      { role: 'user', content: 'What is the capital of France?' },
      { role: 'assistant', content: 'Paris.' },
      { role: 'user', content: 'And of Italy?' },
      { role: 'assistant', content: 'Rome.' },
    ],
  },
  'no-system': {
    messages: [
      { role: 'user', content: 'Hello!' },
      { role: 'assistant', content: 'Hi, how can I help?' },
      { role: 'user', content: 'Tell me a joke.' },
    ],
  },
  'single-user': { messages: [{ role: 'user', content: 'Just one question?' }] },
  unicode: {
    messages: [
      { role: 'user', content: '  Le frigo fait un bruit fort — que faire ? Ça vibre «beaucoup».  \n' },
      { role: 'assistant', content: 'Vérifiez les pieds 🧊, 日本語, "quotes" and \\backslash\\.\n\nDeuxième ligne.' },
      { role: 'user', content: 'Merci ! 👍' },
    ],
  },
  'thinking': {
    only: ['qwen3', 'features'],
    messages: [
      { role: 'user', content: 'Add 2 and 3.' },
      { role: 'assistant', content: '<think>\nSimple sum.\n</think>\n\n5' },
      { role: 'user', content: 'Times 4?' },
      { role: 'assistant', content: '<think>\n5 times 4.\n</think>\n\n20' },
    ],
    variables: { enable_thinking: false },
  },
  tools: {
    only: ['qwen3'],
    messages: [
      { role: 'system', content: 'Use tools when needed.' },
      { role: 'user', content: 'Weather in Paris?' },
    ],
    variables: {
      tools: [{ type: 'function', function: { name: 'get_weather', description: 'Current weather for a city — °C',
        parameters: { type: 'object', properties: { city: { type: 'string' }, days: { type: 'integer', minimum: 1 } }, required: ['city'] } } }],
    },
  },
  'bad-role-order': {
    messages: [
      { role: 'user', content: 'First' },
      { role: 'user', content: 'Second in a row' },
    ],
  },
  'system-first-mistral': {
    only: ['mistral-instruct'],
    messages: [
      { role: 'system', content: 'Mistral v0.1 has no system role.' },
      { role: 'user', content: 'Hi' },
    ],
  },
};
