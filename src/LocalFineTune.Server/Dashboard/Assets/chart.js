// A hand-written SVG line chart: a few series of {x, y} points on shared axes with min/max ticks and a legend.
// Enough for loss curves; no library, so nothing to download.
const NS = 'http://www.w3.org/2000/svg';
const W = 640;
const H = 260;
const PAD = { left: 52, right: 12, top: 12, bottom: 30 };

function svg(tag, attrs, text) {
  const node = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text !== undefined) node.textContent = text;
  return node;
}

// Learning rates are 1e-5-ish: toPrecision would write 0.0000192, wider than the axis margin; exponents fit.
const fmt = (v) => {
  if (Math.abs(v) >= 100 || Number.isInteger(v)) return String(Math.round(v));
  return Math.abs(v) < 0.01 ? v.toExponential(2) : v.toPrecision(3);
};

/** Draws series [{name, cls, points:[{x,y}]}] into container (replacing what was there). */
export function lineChart(container, series, { xLabel = 'step', yLabel = 'loss' } = {}) {
  const points = series.flatMap((s) => s.points);
  const root = svg('svg', { viewBox: `0 0 ${W} ${H}`, class: 'chart', role: 'img', 'aria-label': `${yLabel} by ${xLabel}: ${series.map((s) => s.name).join(', ')}` });
  container.replaceChildren(root);
  if (points.length === 0) {
    root.append(svg('text', { x: W / 2, y: H / 2, 'text-anchor': 'middle', class: 'axis' }, 'No points yet'));
    return;
  }
  const xs = points.map((p) => p.x);
  const ys = points.map((p) => p.y);
  let [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  if (x0 === x1) x1 = x0 + 1;
  if (y0 === y1) { y0 -= 0.5; y1 += 0.5; }
  const px = (x) => PAD.left + ((x - x0) / (x1 - x0)) * (W - PAD.left - PAD.right);
  const py = (y) => H - PAD.bottom - ((y - y0) / (y1 - y0)) * (H - PAD.top - PAD.bottom);
  root.append(
    svg('line', { x1: PAD.left, y1: H - PAD.bottom, x2: W - PAD.right, y2: H - PAD.bottom, class: 'axis-line' }),
    svg('line', { x1: PAD.left, y1: PAD.top, x2: PAD.left, y2: H - PAD.bottom, class: 'axis-line' }),
    svg('text', { x: PAD.left - 6, y: py(y1) + 4, 'text-anchor': 'end', class: 'axis' }, fmt(y1)),
    svg('text', { x: PAD.left - 6, y: py(y0) + 4, 'text-anchor': 'end', class: 'axis' }, fmt(y0)),
    svg('text', { x: px(x0), y: H - 10, 'text-anchor': 'start', class: 'axis' }, fmt(x0)),
    svg('text', { x: px(x1), y: H - 10, 'text-anchor': 'end', class: 'axis' }, fmt(x1)),
    svg('text', { x: (W + PAD.left) / 2, y: H - 10, 'text-anchor': 'middle', class: 'axis' }, xLabel));
  series.forEach((s, i) => {
    if (s.points.length === 0) return;
    const sorted = [...s.points].sort((a, b) => a.x - b.x);
    const d = sorted.map((p, j) => `${j ? 'L' : 'M'}${px(p.x).toFixed(1)},${py(p.y).toFixed(1)}`).join(' ');
    root.append(svg('path', { d, class: `series ${s.cls}` }));
    if (sorted.length < 30) sorted.forEach((p) => root.append(svg('circle', { cx: px(p.x), cy: py(p.y), r: 2.5, class: `dot ${s.cls}` })));
    root.append(svg('text', { x: W - PAD.right - 4, y: PAD.top + 14 + i * 16, 'text-anchor': 'end', class: `legend ${s.cls}` },
      `${s.name} ${fmt(sorted[sorted.length - 1].y)}`));
  });
}
