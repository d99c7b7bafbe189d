// Renders validation.js's report into a minimal stand-in DOM (no browser here) and prints what a user would see as
// JSON: the error rows (data-line, code cell, message), the facts, the estimate. Run by ValidationReportScriptTests.
class Node {
  constructor(tag) { this.tag = tag; this.children = []; this.attrs = {}; this.id = ''; this.className = ''; this.text = null; }
  setAttribute(k, v) { this.attrs[k] = String(v); }
  append(...nodes) { for (const n of nodes) { n.parent = this; this.children.push(n); } }
  replaceChildren(...nodes) { this.children = []; this.append(...nodes.filter(Boolean)); }
  addEventListener() {}
  set textContent(t) { this.children = []; this.text = t; }
  get textContent() { return this.text ?? this.children.map((c) => c.textContent).join(''); }
  after(n) { const siblings = this.parent.children; n.parent = this.parent; siblings.splice(siblings.indexOf(this) + 1, 0, n); }
  all() { return [this, ...this.children.flatMap((c) => c.all())]; }
  find(test) { return this.all().filter(test); }
  querySelector(selector) { return this.find((n) => selector === `#${n.id}`)[0] || null; }
}
class Text extends Node { constructor(t) { super('#text'); this.text = t; } }
globalThis.Node = Node;
globalThis.document = { createElement: (tag) => new Node(tag), createTextNode: (t) => new Text(t) };

const { renderReport, renderRefusal } = await import(process.argv[2]);
const input = JSON.parse(process.argv[3]);
const section = new Node('section');
renderReport(section, input);
if (!input.valid) renderRefusal(section);
const byId = (id) => section.querySelector(`#${id}`);
console.log(JSON.stringify({
  title: byId('validation-title')?.textContent,
  refused: byId('start-refused')?.textContent ?? null,
  rows: section.find((n) => n.tag === 'tr' && 'data-line' in n.attrs).map((tr) => ({
    line: tr.attrs['data-line'],
    code: tr.children.find((td) => td.className === 'code')?.textContent,
    message: tr.children[2].textContent,
  })),
  facts: Object.fromEntries(section.find((n) => n.tag === 'dd').map((dd) => [dd.attrs['data-fact'], dd.textContent])),
  estimate: byId('estimate')?.textContent ?? null,
}));
