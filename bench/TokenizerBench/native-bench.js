#!/usr/bin/env node
// Measures the native HF tokenizers library (Rust, via @anush008/tokenizers) on the same corpus as
// Program.cs. Usage: node native-bench.js TOKENIZER_JSON CORPUS_FILE RUNS
// Single-threaded: TOKENIZERS_PARALLELISM=false makes encodeBatch run sequentially; batching keeps
// the JS↔Rust crossing out of the measurement. Prints one JSON line.
'use strict';
process.env.TOKENIZERS_PARALLELISM = 'false';
process.env.RAYON_NUM_THREADS = '1';
const path = require('path');
const fs = require('fs');
const { Tokenizer } = require(path.join(__dirname, '../../scripts/tokenizers/node_modules/@anush008/tokenizers'));

async function encodeAll(tokenizer, docs) {
  let tokens = 0;
  for (let i = 0; i < docs.length; i += 512) {
    const encodings = await tokenizer.encodeBatch(docs.slice(i, i + 512), { addSpecialTokens: false });
    for (const e of encodings) tokens += e.getLength();
  }
  return tokens;
}

async function main() {
  const [tokenizerPath, corpusPath, runsText] = process.argv.slice(2);
  const tokenizer = Tokenizer.fromFile(tokenizerPath);
  const docs = JSON.parse(fs.readFileSync(corpusPath, 'utf8'));
  const bytes = docs.reduce((n, d) => n + Buffer.byteLength(d, 'utf8'), 0);
  let tokens = await encodeAll(tokenizer, docs); // warm-up: fills the BPE cache, like ours
  const seconds = [];
  for (let run = 0; run < Number(runsText || 5); run++) {
    const start = process.hrtime.bigint();
    tokens = await encodeAll(tokenizer, docs);
    seconds.push(Number(process.hrtime.bigint() - start) / 1e9);
  }
  console.log(JSON.stringify({ bytes, tokens, seconds }));
}
main().catch(error => { console.error(error); process.exit(1); });
