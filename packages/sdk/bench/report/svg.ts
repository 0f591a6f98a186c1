/**
 * Hand-written SVG for the benchmark report: line, grouped-bar and timeline charts with axes,
 * labels and a legend. No dependency, no randomness, no dates: the same chart data gives the
 * same bytes, so regenerated charts only show up in a diff when a number changed.
 */
import type { BarChart, BenchChart, LineChart, TimelineChart } from '../types.js';

const WIDTH = 720;
const HEIGHT = 400;
const MARGIN = { top: 56, right: 24, bottom: 64, left: 72 } as const;
const FONT = 'font-family="system-ui, -apple-system, Segoe UI, Helvetica, Arial, sans-serif"';
/** Okabe–Ito: tells the series apart for colour-blind readers too. */
export const PALETTE = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#000000', '#F0E442'] as const;
const AXIS = '#444';
const GRID = '#e3e3e3';

const color = (i: number): string => PALETTE[i % PALETTE.length]!;

/** Escapes text for an SVG text node or attribute. */
export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** A short human number: 3 significant digits, thousands separated, no trailing zeros. */
export function formatNumber(v: number): string {
  if (!Number.isFinite(v)) return '–';
  if (v === 0) return '0';
  const abs = Math.abs(v);
  if (abs >= 1000) return Math.round(v).toLocaleString('en-US');
  return String(Number(v.toPrecision(3)));
}

/** Ticks from 0 (or below, for negative data) to at least `max`, at a 1/2/5 × 10^k step. */
export function niceTicks(min: number, max: number, target = 5): number[] {
  const lo = Math.min(0, min);
  const hi = max > lo ? max : lo + 1;
  const raw = (hi - lo) / target;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag);
  const first = Math.floor(lo / step) * step;
  const ticks: number[] = [];
  for (let t = first; t < hi + step * 0.999; t += step) ticks.push(Number(t.toPrecision(12)));
  return ticks;
}

const r1 = (v: number): string => String(Math.round(v * 10) / 10);

function text(x: number, y: number, body: string, attrs = ''): string {
  return `<text x="${r1(x)}" y="${r1(y)}" ${attrs}>${escapeXml(body)}</text>`;
}

function frame(title: string, inner: string[], height = HEIGHT): string {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" ${FONT} font-size="12" role="img" aria-label="${escapeXml(title)}">`,
    `<title>${escapeXml(title)}</title>`,
    // An opaque background keeps the chart legible on dark-themed pages.
    `<rect width="${WIDTH}" height="${height}" fill="#ffffff"/>`,
    text(WIDTH / 2, 24, title, 'text-anchor="middle" font-size="15" font-weight="600" fill="#222"'),
    ...inner,
    '</svg>',
    '',
  ].join('\n');
}

interface Plot {
  readonly x0: number;
  readonly x1: number;
  readonly y0: number;
  readonly y1: number;
}

const plotArea = (): Plot => ({ x0: MARGIN.left, x1: WIDTH - MARGIN.right, y0: HEIGHT - MARGIN.bottom, y1: MARGIN.top });

/** Horizontal grid lines, y tick labels and the y axis title. Returns the value → y mapping. */
function yAxis(p: Plot, ticks: readonly number[], label: string, out: string[]): (v: number) => number {
  const lo = ticks[0]!;
  const hi = ticks[ticks.length - 1]!;
  const y = (v: number): number => p.y0 - ((v - lo) / (hi - lo)) * (p.y0 - p.y1);
  for (const t of ticks) {
    out.push(`<line x1="${p.x0}" x2="${p.x1}" y1="${r1(y(t))}" y2="${r1(y(t))}" stroke="${GRID}"/>`);
    out.push(text(p.x0 - 8, y(t) + 4, formatNumber(t), `text-anchor="end" fill="${AXIS}"`));
  }
  out.push(`<line x1="${p.x0}" x2="${p.x0}" y1="${p.y0}" y2="${p.y1}" stroke="${AXIS}"/>`);
  out.push(`<line x1="${p.x0}" x2="${p.x1}" y1="${p.y0}" y2="${p.y0}" stroke="${AXIS}"/>`);
  const cy = (p.y0 + p.y1) / 2;
  out.push(text(18, cy, label, `text-anchor="middle" fill="${AXIS}" transform="rotate(-90 18 ${r1(cy)})"`));
  return y;
}

/** A one-row legend under the title, centred. */
function legend(names: readonly string[], out: string[], marker: 'line' | 'box' = 'box'): void {
  const widths = names.map((n) => 22 + n.length * 6.6 + 14);
  let x = Math.max(MARGIN.left, (WIDTH - widths.reduce((a, b) => a + b, 0)) / 2);
  const y = 42;
  names.forEach((name, i) => {
    if (marker === 'line') out.push(`<line x1="${r1(x)}" x2="${r1(x + 16)}" y1="${y - 4}" y2="${y - 4}" stroke="${color(i)}" stroke-width="2.5"/>`);
    else out.push(`<rect x="${r1(x)}" y="${y - 10}" width="12" height="12" fill="${color(i)}"/>`);
    out.push(text(x + 22, y, name, 'fill="#222"'));
    x += widths[i]!;
  });
}

function lineChart(c: LineChart): string {
  const out: string[] = [];
  const p = plotArea();
  const points = c.series.flatMap((s) => s.points).filter((q) => Number.isFinite(q.x) && Number.isFinite(q.y));
  if (points.length === 0) return frame(c.title, [text(WIDTH / 2, HEIGHT / 2, 'no data', 'text-anchor="middle" fill="#888"')]);
  const xs = [...new Set(points.map((q) => q.x))].sort((a, b) => a - b);
  const xMin = Math.min(0, xs[0]!);
  const xMax = xs[xs.length - 1]! === xMin ? xMin + 1 : xs[xs.length - 1]!;
  const x = (v: number): number => p.x0 + 16 + ((v - xMin) / (xMax - xMin)) * (p.x1 - p.x0 - 32);
  const y = yAxis(p, niceTicks(Math.min(...points.map((q) => q.y)), Math.max(...points.map((q) => q.y)) * 1.08), c.yLabel, out);
  // The x ticks are the measured x values themselves: a reader sees exactly where data exists.
  for (const v of xs) {
    out.push(`<line x1="${r1(x(v))}" x2="${r1(x(v))}" y1="${p.y0}" y2="${p.y0 + 5}" stroke="${AXIS}"/>`);
    out.push(text(x(v), p.y0 + 19, formatNumber(v), `text-anchor="middle" fill="${AXIS}"`));
  }
  out.push(text((p.x0 + p.x1) / 2, HEIGHT - 18, c.xLabel, `text-anchor="middle" fill="${AXIS}"`));
  c.series.forEach((s, i) => {
    const pts = s.points.filter((q) => Number.isFinite(q.x) && Number.isFinite(q.y)).slice().sort((a, b) => a.x - b.x);
    if (pts.length > 1) out.push(`<polyline fill="none" stroke="${color(i)}" stroke-width="2.5" points="${pts.map((q) => `${r1(x(q.x))},${r1(y(q.y))}`).join(' ')}"/>`);
    for (const q of pts) {
      out.push(`<circle cx="${r1(x(q.x))}" cy="${r1(y(q.y))}" r="4" fill="${color(i)}"/>`);
      out.push(text(x(q.x) + 7, y(q.y) - 7, formatNumber(q.y), `fill="${color(i)}" font-size="11"`));
    }
  });
  legend(c.series.map((s) => s.name), out, 'line');
  return frame(c.title, out);
}

function barChart(c: BarChart): string {
  const out: string[] = [];
  const p = plotArea();
  const values = c.series.flatMap((s) => s.values).filter(Number.isFinite);
  if (values.length === 0 || c.groups.length === 0) return frame(c.title, [text(WIDTH / 2, HEIGHT / 2, 'no data', 'text-anchor="middle" fill="#888"')]);
  const y = yAxis(p, niceTicks(Math.min(...values), Math.max(...values) * 1.1), c.yLabel, out);
  const groupWidth = (p.x1 - p.x0) / c.groups.length;
  const barWidth = Math.min(36, (groupWidth * 0.8) / Math.max(1, c.series.length));
  c.groups.forEach((g, gi) => {
    const gx = p.x0 + gi * groupWidth;
    const start = gx + (groupWidth - barWidth * c.series.length) / 2;
    c.series.forEach((s, si) => {
      const v = s.values[gi];
      if (v === undefined || !Number.isFinite(v)) return;
      const bx = start + si * barWidth;
      const top = y(Math.max(0, v));
      const h = Math.abs(y(v) - y(0));
      out.push(`<rect x="${r1(bx + 1)}" y="${r1(Math.min(top, y(0)))}" width="${r1(barWidth - 2)}" height="${r1(h)}" fill="${color(si)}"><title>${escapeXml(`${s.name}, ${g}: ${formatNumber(v)}`)}</title></rect>`);
      out.push(text(bx + barWidth / 2, Math.min(top, y(0)) - 4, formatNumber(v), `text-anchor="middle" fill="#222" font-size="10"`));
    });
    out.push(text(gx + groupWidth / 2, p.y0 + 19, g, `text-anchor="middle" fill="${AXIS}"`));
  });
  legend(c.series.map((s) => s.name), out);
  return frame(c.title, out);
}

/** Height of one event row of a timeline. */
const TIMELINE_ROW = 30;

/**
 * A waterfall: one row per event in time order, a bar from the previous event to this one (the
 * step it took) and the event's label beside its marker; the lane (who saw it) on the left.
 */
function timelineChart(c: TimelineChart): string {
  const events = c.events.filter((e) => Number.isFinite(e.t_ms)).slice().sort((a, b) => a.t_ms - b.t_ms);
  if (events.length === 0) return frame(c.title, [text(WIDTH / 2, HEIGHT / 2, 'no events', 'text-anchor="middle" fill="#888"')]);
  const out: string[] = [];
  const height = MARGIN.top + 8 + events.length * TIMELINE_ROW + MARGIN.bottom;
  const hasLanes = events.some((e) => e.lane !== undefined && e.lane !== '');
  const p = { x0: hasLanes ? 150 : MARGIN.left, x1: WIDTH - MARGIN.right, y0: height - MARGIN.bottom, y1: MARGIN.top + 8 };
  const ticks = niceTicks(events[0]!.t_ms, events[events.length - 1]!.t_ms || 1, 6);
  const lo = ticks[0]!;
  const hi = ticks[ticks.length - 1]!;
  const x = (t: number): number => p.x0 + ((t - lo) / (hi - lo)) * (p.x1 - p.x0);
  for (const t of ticks) {
    out.push(`<line x1="${r1(x(t))}" x2="${r1(x(t))}" y1="${p.y1}" y2="${p.y0}" stroke="${GRID}"/>`);
    out.push(text(x(t), p.y0 + 19, formatNumber(t), `text-anchor="middle" fill="${AXIS}"`));
  }
  out.push(`<line x1="${p.x0}" x2="${p.x1}" y1="${p.y0}" y2="${p.y0}" stroke="${AXIS}"/>`);
  out.push(text((p.x0 + p.x1) / 2, height - 18, 'time since start (ms)', `text-anchor="middle" fill="${AXIS}"`));
  events.forEach((e, i) => {
    const cy = p.y1 + TIMELINE_ROW * (i + 0.5);
    const ex = x(e.t_ms);
    const prev = i === 0 ? e.t_ms : events[i - 1]!.t_ms;
    if (e.lane) out.push(text(p.x0 - 10, cy + 4, e.lane, 'text-anchor="end" fill="#222"'));
    if (e.t_ms > prev) out.push(`<rect x="${r1(x(prev))}" y="${r1(cy - 5)}" width="${r1(ex - x(prev))}" height="10" fill="${color(i)}" opacity="0.35"/>`);
    out.push(`<circle cx="${r1(ex)}" cy="${r1(cy)}" r="5" fill="${color(i)}"/>`);
    const step = i === 0 ? '' : `, +${formatNumber(e.t_ms - prev)}`;
    const label = `${e.event} (${formatNumber(e.t_ms)} ms${step})`;
    // Labels go right of the marker, or left of the bar when they would run off the chart.
    const right = ex + 10 + label.length * 6.2 <= WIDTH - 4;
    out.push(text(right ? ex + 10 : x(prev) - 10, cy + 4, label, `fill="#222" font-size="11"${right ? '' : ' text-anchor="end"'}`));
  });
  const span = events[events.length - 1]!.t_ms - events[0]!.t_ms;
  out.push(text(WIDTH / 2, 44, `${formatNumber(span)} ms from "${events[0]!.event}" to "${events[events.length - 1]!.event}"`, 'text-anchor="middle" fill="#555"'));
  return frame(c.title, out, height);
}

/** The chart as a standalone SVG document. */
export function renderChart(chart: BenchChart): string {
  switch (chart.kind) {
    case 'line':
      return lineChart(chart);
    case 'bar':
      return barChart(chart);
    case 'timeline':
      return timelineChart(chart);
  }
}
