/** The benchmark report (bench/report/): charts from metrics, SVG output, Markdown, partial runs. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { bytesPerUnitChart, collectCharts, propagationChart } from '../bench/report/charts.js';
import { writeReport, type MachineInfo, type SuiteRecord } from '../bench/report/index.js';
import { escapeXml, formatNumber, niceTicks, renderChart } from '../bench/report/svg.js';
import { formatMarkdownTable } from '../bench/table.js';
import type { BenchChart } from '../bench/types.js';

const machine: MachineInfo = { cores: 2, cpu: 'Test CPU', memoryGiB: 24, platform: 'linux x64', node: 'v20.0.0' };

const suite = (name: string, metrics: Record<string, number>, extra: Partial<SuiteRecord> = {}): SuiteRecord => ({
  name,
  description: `${name} suite`,
  seed: 7,
  date: '2025-01-02T03:04:05.000Z',
  wallSeconds: 1.5,
  rows: [{ case: `${name} | row`, value: 1.25 }],
  notes: [`${name} note`],
  failures: [],
  metrics,
  charts: [],
  ...extra,
});

/** Tags opened and closed in order: a cheap well-formedness check for the SVG we write. */
function balanced(svg: string): boolean {
  const stack: string[] = [];
  for (const m of svg.matchAll(/<(\/?)([a-z]+)[^>]*?(\/?)>/g)) {
    const [, close, tag, self] = m;
    if (self) continue;
    if (close) {
      if (stack.pop() !== tag) return false;
    } else stack.push(tag!);
  }
  return stack.length === 0;
}

describe('svg', () => {
  it('ticks start at zero and cover the maximum with a 1/2/5 step', () => {
    expect(niceTicks(0, 41)).toEqual([0, 10, 20, 30, 40, 50]);
    expect(niceTicks(0, 0.9)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(-3, 4)).toEqual([-4, -2, 0, 2, 4]);
  });

  it('formats numbers short and escapes text', () => {
    expect(formatNumber(2.4567)).toBe('2.46');
    expect(formatNumber(12_345.6)).toBe('12,346');
    expect(formatNumber(Number.NaN)).toBe('–');
    expect(escapeXml('a<b & "c">')).toBe('a&lt;b &amp; &quot;c&quot;&gt;');
  });

  const charts: BenchChart[] = [
    { kind: 'line', id: 'l', title: 'Latency <ms>', xLabel: 'peers', yLabel: 'ms', series: [{ name: 'p50', points: [{ x: 8, y: 20 }, { x: 32, y: 40 }] }] },
    { kind: 'bar', id: 'b', title: 'Bytes', yLabel: 'B', groups: ['100', '500'], series: [{ name: 'ours', values: [2.4, Number.NaN] }, { name: 'json', values: [40, 41] }] },
    { kind: 'timeline', id: 't', title: 'Failover', events: [{ t_ms: 0, event: 'crash', lane: 'p1' }, { t_ms: 180, event: 'dead', lane: 'p2' }, { t_ms: 240, event: 'backup writes', lane: 'p2' }] },
  ];

  for (const c of charts) {
    it(`draws a ${c.kind} chart as well-formed, deterministic SVG`, () => {
      const svg = renderChart(c);
      expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
      expect(balanced(svg)).toBe(true);
      expect(svg).not.toMatch(/NaN|undefined|Infinity/);
      expect(renderChart(c)).toBe(svg);
    });
  }

  it('puts every series in the legend and every value on the chart', () => {
    const svg = renderChart(charts[1]!);
    for (const text of ['>ours<', '>json<', '>2.4<', '>41<', '>100<', '>500<']) expect(svg).toContain(text);
    expect(renderChart(charts[2]!)).toContain('240 ms from &quot;crash&quot; to &quot;backup writes&quot;');
  });

  it('draws "no data" instead of failing on empty input', () => {
    expect(renderChart({ kind: 'line', id: 'e', title: 'Empty', xLabel: '', yLabel: '', series: [] })).toContain('no data');
    expect(renderChart({ kind: 'timeline', id: 'e', title: 'Empty', events: [] })).toContain('no events');
  });
});

describe('charts from metrics', () => {
  it('plot propagation p50/p99 against room size, skipping sizes not measured', () => {
    const c = propagationChart({ propagation_p50_ms_8: 20, propagation_p99_ms_8: 40, propagation_p99_ms_64: 60 });
    expect(c?.series.map((s) => s.points)).toEqual([[{ x: 8, y: 20 }], [{ x: 8, y: 40 }, { x: 64, y: 60 }]]);
    expect(propagationChart({})).toBeUndefined();
  });

  it('plot bytes per moving unit per encoding and unit count', () => {
    const c = bytesPerUnitChart({ bytes_per_moving_unit_ours_100: 2.4, bytes_per_moving_unit_ours_2000: 2.5, bytes_per_moving_unit_json_full_500: 40 });
    expect(c?.groups).toEqual(['100 units', '500 units', '2,000 units']);
    expect(c?.series.map((s) => s.name)).toEqual(['ours (position stream)', 'JSON (full state)']);
    expect(c?.series[0]?.values).toEqual([2.4, Number.NaN, 2.5]);
  });

  it("let a suite's chart replace a built-in one of the same id", () => {
    const own: BenchChart = { kind: 'timeline', id: 'propagation-latency', title: 'mine', events: [] };
    const all = collectCharts({ propagation_p50_ms_8: 1, bytes_per_moving_unit_ours_100: 2 }, [own]);
    expect(all.map((c) => [c.id, c.title])).toEqual([
      ['propagation-latency', 'mine'],
      ['bytes-per-moving-unit', 'Bytes per moving unit per tick (lower is better)'],
    ]);
  });
});

describe('markdown', () => {
  it('escapes pipes and right-aligns numeric columns', () => {
    expect(formatMarkdownTable([{ case: 'a | b', n: 1200 }, { case: 'c', n: 0.5 }])).toBe(
      ['| case | n |', '| --- | ---: |', '| a \\| b | 1,200 |', '| c | 0.500 |'].join('\n'),
    );
  });
});

describe('writeReport', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it('keeps the other suites on a partial run and replaces them all on a full run', () => {
    dir = mkdtempSync(join(tmpdir(), 'anarchy-report-'));
    const failover: BenchChart = { kind: 'timeline', id: 'failover-timeline', title: 'Failover', events: [{ t_ms: 0, event: 'crash' }] };
    writeReport({ docsDir: dir, machine, date: '2025-01-01T00:00:00.000Z', suites: [suite('wire', { wire_efficiency: 0.61 }), suite('replication', { propagation_p99_ms_32: 40 }, { charts: [failover] })], fullRun: { seed: 7, wallSeconds: 200 } });
    const partial = writeReport({ docsDir: dir, machine, date: '2025-01-03T00:00:00.000Z', suites: [suite('wire', { wire_efficiency: 0.7 })] });
    const md = readFileSync(partial.markdown, 'utf8');
    expect(md).toContain('| Wire efficiency: delta payload / bytes on the network, 16 shards of 20-byte deltas | 0.7 |');
    expect(md).toContain('`propagation_p99_ms_32` | replication |');
    expect(md).toContain('| last full run | 2025-01-01 00:00 UTC, seed 7, 200 s for every suite |');
    expect(md).toContain('| case | value |\n| --- | ---: |\n| wire \\| row | 1.25 |');
    expect(md).toContain('![Failover](charts/failover-timeline.svg)');
    expect(md).toContain('| Bytes per moving unit per tick, Room position stream, every frame byte on the link | not measured | ≤ 4 |');
    expect(partial.charts.map((f) => f.slice(dir!.length + 1)).sort()).toEqual(['charts/failover-timeline.svg', 'charts/propagation-latency.svg']);

    const full = writeReport({ docsDir: dir, machine, date: '2025-01-04T00:00:00.000Z', suites: [suite('wire', { wire_efficiency: 0.8 })], fullRun: { seed: 7, wallSeconds: 100 } });
    const after = readFileSync(full.markdown, 'utf8');
    expect(after).not.toContain('## replication');
    expect(after).toContain('| last full run | 2025-01-04 00:00 UTC, seed 7, 100 s for every suite |');
  });

  it('refuses a chart id that is not a safe file name', () => {
    dir = mkdtempSync(join(tmpdir(), 'anarchy-report-'));
    const bad: BenchChart = { kind: 'timeline', id: '../evil', title: 'x', events: [] };
    expect(() => writeReport({ docsDir: dir!, machine, suites: [suite('x', {}, { charts: [bad] })] })).toThrow(/Chart id/);
  });
});
