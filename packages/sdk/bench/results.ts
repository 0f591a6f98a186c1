/** Reads and merges `<repo root>/bench/results.json`, keeping the keys of suites that did not run. */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The repository root: the nearest ancestor of `from` holding pnpm-workspace.yaml. */
export function repoRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'pnpm-workspace.yaml'))) return dir;
    if (dirname(dir) === dir) throw new Error(`No pnpm-workspace.yaml above ${from}: cannot find the repository root.`);
  }
}

/** Merges `metrics` into the JSON object at `file` (created if missing); returns the merged object. */
export function mergeResults(file: string, metrics: Readonly<Record<string, number>>): Record<string, number> {
  let previous: Record<string, number> = {};
  if (existsSync(file)) {
    try {
      const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) previous = parsed as Record<string, number>;
    } catch {
      // A damaged file is replaced rather than blocking every later run.
    }
  }
  const merged: Record<string, number> = { ...previous, ...metrics };
  const sorted = Object.fromEntries(Object.keys(merged).sort().map((k) => [k, merged[k]!]));
  mkdirSync(dirname(file), { recursive: true });
  // Write then rename, so a crash mid-write never leaves half a file behind.
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(sorted, null, 2)}\n`);
  renameSync(tmp, file);
  return sorted;
}
