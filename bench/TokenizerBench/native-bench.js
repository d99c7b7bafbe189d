#!/usr/bin/env node
// Measures the native HF tokenizers library (Rust, via @anush008/tokenizers) on the same texts as
// the C# side. Usage: node native-bench.js MODE TOKENIZER_JSON TEXTS_FILE RUNS
//   repeated: one warm-up pass (fills the BPE cache), then RUNS timed passes over all texts;
//   unique:   warm-up on a throwaway tokenizer, then each timed pass loads a fresh tokenizer (empty
//             cache, load not timed) and encodes every text once: no text is seen twice by one cache;
//   long:     each text (one long run) encoded RUNS times on its own; seconds per text.
// Single-threaded: TOKENIZERS_PARALLELISM=false makes encodeBatch run sequentially; batching keeps
// the JS↔Rust crossing out of the measurement. Prints one JSON line with times, token counts and an
// id checksum (h = h·31 + id mod 2³², over all ids in order) the C# side compares with its own.
'use strict';
process.env.TOKENIZERS_PARALLELISM = 'false';
process.env.RAYON_NUM_THREADS = '1';
const path = require('path');
const fs = require('fs');
const { Tokenizer } = require(path.join(__dirname, '../../scripts/tokenizers/node_modules/@anush008/tokenizers'));

function checksum(h, ids) {
  for (const id of ids) h = (Math.imul(h, 31) + id) >>> 0;
  return h;
}

// Encodes every doc; only the encodeBatch calls are timed (reading ids back into JS is not).
async function encodeAll(tokenizer, docs) {
  let tokens = 0, hash = 0, seconds = 0;
  for (let i = 0; i < docs.length; i += 512) {
    const start = process.hrtime.bigint();
    const encodings = await tokenizer.encodeBatch(docs.slice(i, i + 512), { addSpecialTokens: false });
    seconds += Number(process.hrtime.bigint() - start) / 1e9;
    for (const e of encodings) { tokens += e.getLength(); hash = checksum(hash, e.getIds()); }
  }
  return { tokens, hash, seconds };
}

async function repeated(tokenizerPath, docs, runs) {
  const tokenizer = Tokenizer.fromFile(tokenizerPath);
  let last = await encodeAll(tokenizer, docs);
  const seconds = [];
  for (let run = 0; run < runs; run++) {
    last = await encodeAll(tokenizer, docs);
    seconds.push(last.seconds);
  }
  return { seconds, tokens: last.tokens, hash: last.hash };
}

async function unique(tokenizerPath, docs, runs) {
  await encodeAll(Tokenizer.fromFile(tokenizerPath), docs.slice(0, Math.ceil(docs.length / 10)));
  const seconds = [];
  let last;
  for (let run = 0; run < runs; run++) {
    last = await encodeAll(Tokenizer.fromFile(tokenizerPath), docs);
    seconds.push(last.seconds);
  }
  return { seconds, tokens: last.tokens, hash: last.hash };
}

async function long(tokenizerPath, texts, runs) {
  const tokenizer = Tokenizer.fromFile(tokenizerPath);
  await encodeAll(tokenizer, [texts[0].slice(0, 4096)]);
  const perText = [];
  for (const text of texts) {
    const seconds = [];
    let last;
    for (let run = 0; run < runs; run++) {
      last = await encodeAll(tokenizer, [text]);
      seconds.push(last.seconds);
    }
    perText.push({ seconds, tokens: last.tokens, hash: last.hash });
  }
  return { texts: perText };
}

async function main() {
  const [mode, tokenizerPath, textsPath, runsText] = process.argv.slice(2);
  const texts = JSON.parse(fs.readFileSync(textsPath, 'utf8'));
  const runs = Number(runsText || 5);
  const modes = { repeated, unique, long };
  if (!modes[mode]) throw new Error(`unknown mode '${mode}': use repeated, unique or long`);
  console.log(JSON.stringify(await modes[mode](tokenizerPath, texts, runs)));
}
main().catch(error => { console.error(error); process.exit(1); });
