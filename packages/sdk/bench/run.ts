/**
 * `pnpm bench [--json] [--suite a,b] [--seed n] [--report | --no-report] [--list]`: runs every
 * suite in bench/suites/ (or the named ones), prints one table per suite and the time each took,
 * with `--json` merges their metrics into `<repo root>/bench/results.json`, and writes the report
 * (`docs/benchmarks.md`, `docs/charts/*.svg`) after a full run, or after a partial one with
 * `--report` (`--no-report` skips it). Exits with code 1 if a suite reports failures.
 */
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { writeReport, type SuiteRecord } from './report/index.js';
import { mergeResults, repoRoot } from './results.js';
import { formatTable } from './table.js';
import type { BenchContext, BenchRow, BenchSuite } from './types.js';

/** Default seed: fixed, so two runs measure the same work. */
export const DEFAULT_SEED = 20_251_121;

const here = dirname(fileURLToPath(import.meta.url));

async function loadSuites(): Promise<BenchSuite[]> {
  const dir = join(here, 'suites');
  const files = readdirSync(dir).filter((f) => /\.ts$/.test(f) && !/\.(test|d)\.ts$/.test(f) && !f.startsWith('_'));
  const suites: BenchSuite[] = [];
  for (const f of files.sort()) {
    const mod = (await import(pathToFileURL(join(dir, f)).href)) as { default?: BenchSuite };
    if (!mod.default || typeof mod.default.run !== 'function') throw new Error(`bench/suites/${f} must default-export a BenchSuite`);
    suites.push(mod.default);
  }
  // Throughput suites first (see BenchSuite.first); the rest in file order. sort() is stable.
  return suites.sort((a, b) => Number(b.first === true) - Number(a.first === true));
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      json: { type: 'boolean', default: false },
      suite: { type: 'string', multiple: true },
      seed: { type: 'string' },
      list: { type: 'boolean', default: false },
      report: { type: 'boolean' },
      'no-report': { type: 'boolean' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    // pnpm may pass a lone "--" before forwarded arguments.
    allowPositionals: true,
  });
  const suites = await loadSuites();
  if (values.help || values.list) {
    console.log(
      [
        'usage: pnpm bench [--json] [--suite name[,name]] [--seed n] [--report | --no-report]',
        '',
        '  --json       merge the metrics into bench/results.json',
        '  --report     write docs/benchmarks.md and docs/charts/ (default after a run of every suite)',
        '  --no-report  do not write them, even after a full run',
        '',
        'suites:',
      ].join('\n'),
    );
    for (const s of suites) console.log(`  ${s.name.padEnd(12)} ${s.description}`);
    return;
  }
  const wanted = (values.suite ?? []).flatMap((s) => s.split(',')).filter(Boolean);
  const unknown = wanted.filter((w) => !suites.some((s) => s.name === w));
  if (unknown.length > 0) throw new Error(`Unknown suite(s) ${unknown.join(', ')}; known: ${suites.map((s) => s.name).join(', ')}`);
  const selected = wanted.length > 0 ? suites.filter((s) => wanted.includes(s.name)) : suites;
  const seed = values.seed === undefined ? DEFAULT_SEED : Number(values.seed);
  if (!Number.isInteger(seed)) throw new Error(`--seed must be an integer, got ${values.seed}`);
  if (values.report && values['no-report']) throw new Error('--report and --no-report contradict each other; give one.');
  const full = selected.length === suites.length;
  const report = values.report ?? (full && !values['no-report']);

  const ctx: BenchContext = { seed, now: () => performance.now(), log: (line) => process.stderr.write(`${line}\n`) };
  const metrics: Record<string, number> = {};
  const failures: string[] = [];
  const records: SuiteRecord[] = [];
  const timings: BenchRow[] = [];
  const runStarted = performance.now();
  console.log(`bench seed ${seed}, node ${process.version}`);
  for (const suite of selected) {
    const started = performance.now();
    ctx.log(`running ${suite.name}…`);
    const result = await suite.run(ctx);
    const wallSeconds = (performance.now() - started) / 1000;
    console.log(`\n## ${suite.name}: ${suite.description} (${wallSeconds.toFixed(1)} s)\n`);
    console.log(formatTable(result.rows));
    for (const note of result.notes ?? []) console.log(`  ${note}`);
    Object.assign(metrics, result.metrics);
    for (const f of result.failures ?? []) failures.push(`${suite.name}: ${f}`);
    timings.push({ suite: suite.name, seconds: Math.round(wallSeconds * 10) / 10 });
    records.push({
      name: suite.name,
      description: suite.description,
      seed,
      date: new Date().toISOString(),
      wallSeconds: Math.round(wallSeconds * 10) / 10,
      rows: result.rows,
      notes: result.notes ?? [],
      failures: result.failures ?? [],
      metrics: result.metrics,
      charts: result.charts ?? [],
    });
  }
  const totalSeconds = Math.round((performance.now() - runStarted) / 100) / 10;
  timings.push({ suite: 'total', seconds: totalSeconds });
  console.log(`\n## time\n\n${formatTable(timings)}`);
  if (values.json) {
    const file = join(repoRoot(here), 'bench', 'results.json');
    mergeResults(file, metrics);
    console.log(`\nwrote ${Object.keys(metrics).length} metrics to ${file}`);
  }
  if (report) {
    const written = writeReport({
      docsDir: join(repoRoot(here), 'docs'),
      suites: records,
      ...(full ? { fullRun: { seed, wallSeconds: totalSeconds } } : {}),
    });
    console.log(`wrote ${written.markdown}${full ? '' : ' (partial: only these suites’ sections changed)'} and ${written.charts.length} chart(s)`);
  }
  if (failures.length > 0) {
    console.error(`\n${failures.length} failure(s):\n${failures.join('\n')}`);
    process.exitCode = 1;
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.stack ?? err.message : err);
  process.exitCode = 1;
});
