/**
 * `docs/benchmarks.md` from the report data: the headline figures, the charts, then one section
 * per suite with its table, notes, seed, date and wall time. Pure: same data, same text.
 */
import { formatMarkdownTable } from '../table.js';
import type { BenchChart, BenchRow } from '../types.js';
import { formatNumber } from './svg.js';

/** Where and on what the numbers were measured. */
export interface MachineInfo {
  readonly cores: number;
  readonly cpu: string;
  readonly memoryGiB: number;
  readonly platform: string;
  readonly node: string;
}

/** One suite's latest run, as kept in `docs/benchmarks.data.json`. */
export interface SuiteRecord {
  readonly name: string;
  readonly description: string;
  readonly seed: number;
  /** ISO 8601, UTC. */
  readonly date: string;
  readonly wallSeconds: number;
  readonly rows: readonly BenchRow[];
  readonly notes: readonly string[];
  readonly failures: readonly string[];
  readonly metrics: Readonly<Record<string, number>>;
  readonly charts: readonly BenchChart[];
}

/** Everything the report is drawn from; partial runs replace only their suites' records. */
export interface ReportData {
  readonly version: 1;
  readonly machine: MachineInfo;
  /** ISO date, seed and total wall time of the last run of every suite, if there was one. */
  readonly lastFullRun?: { readonly date: string; readonly seed: number; readonly wallSeconds: number };
  /** ISO date of the last write. */
  readonly updated: string;
  /** By suite name, in the order the runner ran them. */
  readonly suites: Readonly<Record<string, SuiteRecord>>;
}

/** A figure quoted at the top of the report: metric key, what it means, its unit and a target when there is one. */
export interface Headline {
  readonly key: string;
  readonly label: string;
  readonly unit: string;
  /** E.g. `≤ 4`: what the project promises. */
  readonly target?: string;
}

/** The figures the issues quote; missing ones (suite not run yet) are listed as not measured. */
export const HEADLINES: readonly Headline[] = [
  { key: 'bytes_per_moving_unit', label: 'Bytes per moving unit per tick, Room position stream, every frame byte on the link', unit: 'B', target: '≤ 4' },
  { key: 'bytes_per_moving_unit_schema', label: 'Same workload as plain @colyseus/schema patches (payload only)', unit: 'B' },
  { key: 'propagation_p50_ms_32', label: 'Delta propagation p50, 32 peers, 20 ms links, 1% loss', unit: 'ms' },
  { key: 'propagation_p99_ms_32', label: 'Delta propagation p99, 32 peers, 20 ms links, 1% loss', unit: 'ms', target: '≤ 50' },
  { key: 'propagation_p99_ms_64', label: 'Delta propagation p99, 64 peers', unit: 'ms' },
  { key: 'detection_p99_ms', label: 'Crash detection p99 (SWIM, tuned timing)', unit: 'ms' },
  { key: 'membership_detection_defaults_p99_ms', label: 'Crash detection p99 (SWIM, default timing)', unit: 'ms' },
  { key: 'spurious_failovers_per_10_peer_hours', label: 'Spurious failovers per 10 peer-hours (lossy links)', unit: '' },
  { key: 'wire_efficiency', label: 'Wire efficiency: delta payload / bytes on the network, 16 shards of 20-byte deltas', unit: '' },
  { key: 'wire_bytes_per_delta', label: 'Bytes on the network per 20-byte delta (16 shards)', unit: 'B' },
  { key: 'signal_rss_mb_5000', label: 'Signal service RSS holding 5,000 PeerJS clients', unit: 'MB' },
  { key: 'signal_join_p99_ms_5000', label: 'Signal service: p99 open of a PeerJS client at 5,000 clients', unit: 'ms' },
  { key: 'fuzz_crashes', label: 'Wire fuzzer crashes', unit: '', target: '0' },
];

/** Metrics whose names start so are headline figures too (the failover suite's, whatever it names them). */
export const HEADLINE_PREFIXES = ['failover_'] as const;

const fmtDate = (iso: string): string => iso.replace('T', ' ').replace(/:\d\d(\.\d+)?Z$/, ' UTC');

function headlineRows(suites: readonly SuiteRecord[]): BenchRow[] {
  const owner = new Map<string, SuiteRecord>();
  for (const s of suites) for (const k of Object.keys(s.metrics)) owner.set(k, s);
  const extra = [...owner.keys()]
    .filter((k) => HEADLINE_PREFIXES.some((p) => k.startsWith(p)) && !HEADLINES.some((h) => h.key === k))
    .sort()
    .map((key): Headline => ({ key, label: key.replace(/_/g, ' '), unit: '' }));
  return [...HEADLINES, ...extra].map((h) => {
    const s = owner.get(h.key);
    const v = s?.metrics[h.key];
    return {
      figure: h.label,
      value: v === undefined ? 'not measured' : `${formatNumber(v)}${h.unit ? ` ${h.unit}` : ''}`,
      target: h.target ?? '',
      key: `\`${h.key}\``,
      suite: s?.name ?? '',
    };
  });
}

/** The report page. `chartFiles` maps chart id → path relative to docs/. */
export function renderBenchmarksMarkdown(data: ReportData, charts: readonly BenchChart[], chartFiles: ReadonlyMap<string, string>): string {
  const suites = Object.values(data.suites);
  const m = data.machine;
  const seeds = [...new Set(suites.map((s) => s.seed))];
  const out: string[] = [
    '# Benchmarks',
    '',
    '<!-- Written by `pnpm bench` (packages/sdk/bench/report/); edits by hand are overwritten. -->',
    '',
    'Every figure here comes from `pnpm bench`: the protocol runs on the simulated network',
    '(`SimNetwork`, virtual clock) with a fixed seed, so two runs on any machine measure the same',
    'work; only throughput (MB/s), wall time and the signal service’s memory depend on the machine.',
    'A full run rewrites this page and `docs/charts/`; `pnpm bench --suite NAME --report` updates',
    'one suite’s section and leaves the others as they were (each section gives its own date and seed).',
    '',
    '| | |',
    '| --- | --- |',
    `| updated | ${fmtDate(data.updated)} |`,
    `| seed | ${seeds.join(', ')} |`,
    `| machine | ${m.cores} cores (${m.cpu}), ${formatNumber(m.memoryGiB)} GiB, ${m.platform}, Node ${m.node} |`,
    data.lastFullRun
      ? `| last full run | ${fmtDate(data.lastFullRun.date)}, seed ${data.lastFullRun.seed}, ${formatNumber(data.lastFullRun.wallSeconds)} s for every suite |`
      : '| last full run | none yet: run `pnpm bench` |',
    '',
    '## Headline figures',
    '',
    formatMarkdownTable(headlineRows(suites)),
    '',
  ];
  if (charts.length > 0) {
    out.push('## Charts', '');
    for (const c of charts) {
      const file = chartFiles.get(c.id);
      if (file !== undefined) out.push(`![${c.title}](${file})`, '');
    }
  }
  for (const s of suites) {
    out.push(`## ${s.name}: ${s.description}`, '');
    out.push(`_Seed ${s.seed}, ${fmtDate(s.date)}, ${formatNumber(s.wallSeconds)} s._`, '');
    out.push(formatMarkdownTable(s.rows), '');
    for (const n of s.notes) out.push(`- ${n}`);
    if (s.notes.length > 0) out.push('');
    if (s.failures.length > 0) {
      out.push('**Failures:**', '');
      for (const f of s.failures) out.push(`- ${f}`);
      out.push('');
    }
  }
  return `${out.join('\n').trimEnd()}\n`;
}
