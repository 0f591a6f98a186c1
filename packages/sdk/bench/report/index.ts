/**
 * Writes the benchmark report into `docs/`: `benchmarks.md`, `charts/<id>.svg`, and
 * `benchmarks.data.json`, the data both are drawn from. A partial run (`--suite x --report`)
 * replaces only its suites' records, so the page always shows the latest run of every suite.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import type { BenchChart } from '../types.js';
import { collectCharts } from './charts.js';
import { renderBenchmarksMarkdown, type MachineInfo, type ReportData, type SuiteRecord } from './markdown.js';
import { renderChart } from './svg.js';

export type { MachineInfo, ReportData, SuiteRecord } from './markdown.js';

/** This machine, as the report describes it. */
export function machineInfo(): MachineInfo {
  const cpu = cpus();
  return {
    cores: cpu.length,
    cpu: (cpu[0]?.model ?? 'unknown CPU').replace(/\s+/g, ' ').trim(),
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    platform: `${process.platform} ${process.arch}`,
    node: process.version,
  };
}

function writeAtomic(file: string, text: string): void {
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, file);
}

function readData(file: string): ReportData | undefined {
  if (!existsSync(file)) return undefined;
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<ReportData>;
    return parsed.version === 1 && parsed.suites && typeof parsed.suites === 'object' ? (parsed as ReportData) : undefined;
  } catch {
    // A damaged data file only costs the sections of suites not run this time.
    return undefined;
  }
}

export interface WriteReportOptions {
  /** The `docs/` directory. */
  readonly docsDir: string;
  /** The suites that ran now. */
  readonly suites: readonly SuiteRecord[];
  /** Set when every suite ran: the report records it as the last full run. */
  readonly fullRun?: { readonly seed: number; readonly wallSeconds: number };
  /** ISO date of this run; default now. */
  readonly date?: string;
  readonly machine?: MachineInfo;
}

export interface WrittenReport {
  readonly markdown: string;
  readonly charts: readonly string[];
}

/** Merges this run into the stored data and rewrites the page and every chart. */
export function writeReport(options: WriteReportOptions): WrittenReport {
  const date = options.date ?? new Date().toISOString();
  const dataFile = join(options.docsDir, 'benchmarks.data.json');
  const previous = readData(dataFile);
  const suites: Record<string, SuiteRecord> = options.fullRun ? {} : { ...previous?.suites };
  for (const s of options.suites) suites[s.name] = s;
  const lastFullRun = options.fullRun ? { date, ...options.fullRun } : previous?.lastFullRun;
  const data: ReportData = {
    version: 1,
    machine: options.machine ?? machineInfo(),
    ...(lastFullRun ? { lastFullRun } : {}),
    updated: date,
    suites,
  };

  const metrics: Record<string, number> = {};
  const suiteCharts: BenchChart[] = [];
  for (const s of Object.values(suites)) {
    Object.assign(metrics, s.metrics);
    suiteCharts.push(...s.charts);
  }
  const charts = collectCharts(metrics, suiteCharts);
  const chartsDir = join(options.docsDir, 'charts');
  mkdirSync(chartsDir, { recursive: true });
  const files = new Map<string, string>();
  const written: string[] = [];
  for (const c of charts) {
    if (!/^[a-z0-9][a-z0-9-]*$/.test(c.id)) throw new Error(`Chart id "${c.id}" must be lowercase letters, digits and dashes (it names docs/charts/<id>.svg).`);
    const file = join(chartsDir, `${c.id}.svg`);
    writeAtomic(file, renderChart(c));
    files.set(c.id, `charts/${c.id}.svg`);
    written.push(file);
  }
  const markdown = join(options.docsDir, 'benchmarks.md');
  writeAtomic(markdown, renderBenchmarksMarkdown(data, charts, files));
  writeAtomic(dataFile, `${JSON.stringify(data, null, 1)}\n`);
  return { markdown, charts: written };
}
