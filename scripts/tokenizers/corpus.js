// The parity corpus: every string here is encoded by the reference library and by ours.
// It aims at the places tokenizers disagree: Unicode categories, whitespace runs,
// contractions, digits, special tokens written inside text, and normalization.
'use strict';

const french = [
  "L'été dernier, nous sommes allés à la plage près de Saint-Malo.",
  "Où est la bibliothèque ? Je ne sais pas… peut-être à côté du théâtre.",
  "Ça coûte 12,50 € — c'est très cher pour un café crème !",
  "« Bonjour », dit-elle. « Qu'est-ce que tu fais aujourd'hui ? »",
  "Les élèves français étudient l'œuvre de Molière, Hugo et Zola.",
  "ÉCOLE ÉLÉMENTAIRE DE LA RÉPUBLIQUE — ÎLE-DE-FRANCE",
  "Noël, Pâques, l'Aïd et Hanoucca : des fêtes célébrées en décembre ou au printemps.",
  "Il faut qu'il s'en aille, n'est-ce pas ? J'espère qu'on l'aura compris.",
  "e\u0301te\u0301 (NFD accents) vs été (NFC)",
  "ﬁn de la ﬁle — ligatures ﬁ et ﬂ, exposants x² et ½ fraction",
];

const english = [
  "Hello world",
  "Hello world!",
  " Hello world",
  "The quick brown fox jumps over the lazy dog.",
  "I'm sure they'll say it's fine, but we'd've known. You're right; I've seen it.",
  "DON'T SHOUT: IT'S LOUD AND WE'LL HEAR YOU'RE THERE, HE'D SAY I'M DONE",
  "She said 'hello' and 'goodbye' — 'tis the season, 'twas fun.",
  "rock'n'roll isn't o'clock",
];

const unicode = [
  "😀 😃 😄 😁 😆 🙂",
  "👩‍👩‍👧‍👦 family, 👍🏽 thumbs, 🇫🇷 flag, ❤️ heart",
  "日本語のテキストと漢字、ひらがな、カタカナ。",
  "中文分词测试：我爱北京天安门。",
  "한국어 텍스트입니다. 안녕하세요!",
  "Привет, как дела? Всё хорошо.",
  "مرحبا بالعالم",
  "नमस्ते दुनिया",
  "Ελληνικά: αβγδε ΑΒΓΔΕ",
  "∑∫√∞ ≠ ≤ ≥ → ← ⇒ ∀x∈ℝ",
  "ｆｕｌｌｗｉｄｔｈ ＡＢＣ １２３",
  "zero\u200Bwidth\u00A0nbsp\u2009thin\u3000ideographic",
  "Ünïcödé Çàñ Bé Tŕíçkÿ",
  "İstanbul ǅ ß ẞ",
  "\u{1F600}\u{10FFFF}\u{E000}",
];

const code = [
  "def foo(x):\n    return x ** 2\n",
  "public static int Main(string[] args)\n{\n\tConsole.WriteLine(\"Hi\");\n\treturn 0;\n}",
  "for (int i = 0; i < n; ++i) { sum += a[i] * b[i]; }",
  "const x = {a: 1, 'b': [2, 3], \"c\": null}; // comment",
  "<html><body class=\"main\">&amp; &lt;tag&gt;</body></html>",
  "SELECT id, name FROM users WHERE age >= 18 ORDER BY name;",
  "https://example.com/path?query=1&lang=fr#section",
  "user@example.org, +33 6 12 34 56 78",
  "git commit -m \"fix: handle CRLF\" && dotnet test",
  "{\"ids\":[1,2,3],\"text\":\"é\"}",
];

const whitespace = [
  "",
  " ",
  "  ",
  "a  b   c    d",
  "\t",
  "\t\ttabs\tand\t\tmore",
  "\n",
  "\n\n\n",
  "line1\nline2\n\nline4\n",
  "windows\r\nline\r\nendings\r\n",
  "trailing spaces   ",
  "   leading spaces",
  "mixed \t \n \r\n  whitespace  \t\t\n",
  "word\n    indented\n\tword",
  "a\u00A0\u00A0b",
  "     \n     ",
];

const numbers = [
  "0 1 12 123 1234 12345 123456 1234567",
  "3.14159 2,718 1e-10 -42 +7 0x1F 1_000_000",
  "Le 14 juillet 1789, à 15h30, 600 000 personnes.",
  "٣٤٥ ५६७ ①②③ Ⅻ",
  "Version 10.0.100 released 2025-11-21T12:00:00Z",
  "9999999999999999999999",
];

const special = [
  "<|endoftext|>",
  "Hello<|endoftext|>world",
  "Hello <|endoftext|> world",
  "<|endoftext|><|endoftext|>",
  "end.<|endoftext|>\n<|endoftext|>Start",
  "<|im_start|>user\nBonjour !<|im_end|>\n<|im_start|>assistant\n",
  "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nSois bref.<|eot_id|>",
  "<s>[INST] Quelle heure est-il ? [/INST] Il est midi.</s>",
  "<unk> is not <unk>text",
  "<|endoftext",
  "|endoftext|>",
  "<|ENDOFTEXT|>",
];

const longText = [
  "La tokenisation transforme un texte en une suite d'identifiants entiers. " +
  "Chaque modèle de langage possède son propre vocabulaire : GPT-2 en compte 50 257, " +
  "Llama 3 environ 128 000 et Qwen 151 643. Une erreur d'un seul identifiant corrompt " +
  "silencieusement les données d'entraînement ; c'est pourquoi nous comparons chaque " +
  "jeton avec la bibliothèque de référence. 🚀\n\nThe quick brown fox, again: 1234567890!",
];

module.exports = [
  ...french, ...english, ...unicode, ...code, ...whitespace, ...numbers, ...special, ...longText,
];
