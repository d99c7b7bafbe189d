// Synthetic tokenizer configurations: a real vocabulary (GPT-2's or our SentencePiece-style one)
// with one pipeline component swapped, so each normalizer / pre-tokenizer / decoder / added-token
// option is checked against the reference library. The C# tests apply the same `overrides`.
'use strict';

const byteLevel = (addPrefixSpace, useRegex) =>
  ({ type: 'ByteLevel', add_prefix_space: addPrefixSpace, trim_offsets: true, use_regex: useRegex });
const split = (pattern, behavior, invert = false) =>
  ({ type: 'Split', pattern, behavior, invert });
const added = (id, content, opts) => ({
  id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true, ...opts,
});
const metaspace = (prependScheme, splitWords) =>
  ({ type: 'Metaspace', replacement: '▁', prepend_scheme: prependScheme, split: splitWords });
const metaspaceDecoder = (prependScheme) =>
  ({ type: 'Metaspace', replacement: '▁', prepend_scheme: prependScheme, split: true });

const gpt2Variants = [
  { name: 'gpt2-nfkc-lowercase-digits', overrides: {
    normalizer: { type: 'Sequence', normalizers: [{ type: 'NFKC' }, { type: 'Lowercase' }] },
    pre_tokenizer: { type: 'Sequence', pretokenizers: [{ type: 'Digits', individual_digits: true }, byteLevel(true, true)] } } },
  { name: 'gpt2-nfc-prepend-replace', overrides: {
    normalizer: { type: 'Sequence', normalizers: [
      { type: 'NFC' }, { type: 'Prepend', prepend: '>> ' },
      { type: 'Replace', pattern: { String: 'é' }, content: 'e' },
      { type: 'Replace', pattern: { Regex: '\\s+' }, content: ' ' }] } } },
  { name: 'gpt2-digits-grouped-bytelevel-noregex', overrides: {
    pre_tokenizer: { type: 'Sequence', pretokenizers: [{ type: 'Digits', individual_digits: false }, byteLevel(false, false)] } } },
  ...['Removed', 'Isolated', 'MergedWithPrevious', 'MergedWithNext', 'Contiguous'].flatMap(behavior => [false, true].map(invert => ({
    name: `gpt2-split-${behavior.toLowerCase()}${invert ? '-invert' : ''}`, overrides: {
      pre_tokenizer: { type: 'Sequence', pretokenizers: [split({ Regex: '\\s+|[.,!?;:]' }, behavior, invert), byteLevel(false, false)] } } }))),
  { name: 'gpt2-split-string-removed', overrides: {
    pre_tokenizer: { type: 'Sequence', pretokenizers: [split({ String: ' ' }, 'Removed'), byteLevel(false, true)] } } },
  { name: 'gpt2-template-bos-eos', overrides: {
    post_processor: { type: 'TemplateProcessing',
      single: [{ SpecialToken: { id: '<|endoftext|>', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '<|endoftext|>', type_id: 0 } }],
      pair: [{ Sequence: { id: 'A', type_id: 0 } }, { Sequence: { id: 'B', type_id: 1 } }],
      special_tokens: { '<|endoftext|>': { id: '<|endoftext|>', ids: [50256], tokens: ['<|endoftext|>'] } } } } },
  { name: 'gpt2-added-token-options', overrides: {
    added_tokens: [
      added(50256, '<|endoftext|>', {}),
      added(50257, '<mask>', { lstrip: true }),
      added(50258, '<sep>', { rstrip: true }),
      added(50259, 'été', { single_word: true, special: false, normalized: true }),
      added(50260, '[INST]', { lstrip: true, rstrip: true, special: false }),
      added(50261, 'def', { special: false, normalized: false }),
      added(50262, 'WORLD', { normalized: true, special: false }),
    ],
    normalizer: { type: 'Lowercase' } },
    extraTexts: [
      'a <mask> b <mask>c', 'x <sep> y<sep>   z', "l'été été étés bel-été été", '  [INST]  hi  [INST]x',
      'undefined def define (def) world WORLD World', '<mask><sep>été<|endoftext|>', 'étéété été.été',
    ] },
];

const spmVariants = [
  { name: 'spm-metaspace-first-nosplit', overrides: {
    normalizer: null, pre_tokenizer: metaspace('first', false), decoder: metaspaceDecoder('first') } },
  { name: 'spm-metaspace-always-split', overrides: {
    normalizer: null, pre_tokenizer: metaspace('always', true), decoder: metaspaceDecoder('always') } },
  { name: 'spm-metaspace-never-split', overrides: {
    normalizer: null, pre_tokenizer: metaspace('never', true), decoder: metaspaceDecoder('never') } },
  { name: 'spm-unk-no-byte-fallback-fused', modelOverrides: { byte_fallback: false, fuse_unk: true } },
  { name: 'spm-unk-no-byte-fallback-unfused', modelOverrides: { byte_fallback: false, fuse_unk: false } },
  { name: 'spm-ignore-merges', modelOverrides: { ignore_merges: true } },
  { name: 'spm-merges-as-pairs', mergesAsPairs: true },
  { name: 'spm-strip-replace-decoders', overrides: {
    decoder: { type: 'Sequence', decoders: [
      { type: 'Replace', pattern: { String: '▁' }, content: ' ' }, { type: 'ByteFallback' }, { type: 'Fuse' },
      { type: 'Strip', content: ' ', start: 0, stop: 1 }] } },
    // The reference panics (index out of bounds in strip.rs) when Strip meets an empty string.
    skipTexts: [''] },
];

module.exports = { gpt2Variants, spmVariants };
