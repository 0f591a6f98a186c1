/** Renders rows as tables (columns from the union of the rows' keys, in first-seen order): plain text for the terminal, Markdown for the report. */
import type { BenchRow } from './types.js';

/** One cell as printed: integers with thousands separators, other numbers to 3 significant places or so. */
export const cell = (v: string | number | undefined): string => {
  if (v === undefined) return '';
  if (typeof v === 'string') return v;
  if (Number.isInteger(v)) return v.toLocaleString('en-US');
  return Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 1 ? v.toFixed(2) : v.toFixed(3);
};

function columnsOf(rows: readonly BenchRow[]): string[] {
  const columns: string[] = [];
  for (const r of rows) for (const k of Object.keys(r)) if (!columns.includes(k)) columns.push(k);
  return columns;
}

/** Plain-text table, numbers right-aligned. */
export function formatTable(rows: readonly BenchRow[]): string {
  const columns = columnsOf(rows);
  const cells = rows.map((r) => columns.map((c) => cell(r[c])));
  const width = columns.map((c, i) => Math.max(c.length, ...cells.map((row) => row[i]!.length)));
  const numeric = columns.map((c) => rows.every((r) => r[c] === undefined || typeof r[c] === 'number'));
  const line = (values: string[]): string =>
    values.map((v, i) => (numeric[i] ? v.padStart(width[i]!) : v.padEnd(width[i]!))).join('  ').trimEnd();
  return [line(columns), width.map((w) => '-'.repeat(w)).join('  '), ...cells.map(line)].join('\n');
}

/** GitHub-flavoured Markdown table, numeric columns right-aligned; `|` in cells is escaped. */
export function formatMarkdownTable(rows: readonly BenchRow[]): string {
  const columns = columnsOf(rows);
  if (columns.length === 0) return '';
  const esc = (v: string): string => v.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
  const numeric = columns.map((c) => rows.every((r) => r[c] === undefined || typeof r[c] === 'number'));
  const line = (values: string[]): string => `| ${values.join(' | ')} |`;
  return [
    line(columns.map(esc)),
    line(numeric.map((n) => (n ? '---:' : '---'))),
    ...rows.map((r) => line(columns.map((c) => esc(cell(r[c]))))),
  ].join('\n');
}
