/**
 * `pnpm --filter @anarchy/sdk docs:check`: lists the public exports (of `.`, `./testing` and
 * `./node`) whose TSDoc is missing, and the functions and classes without an `@example`.
 * Reads TypeDoc's JSON model, so it sees exactly what the API reference shows.
 * Exit code 1 when something is missing; `--report` prints the lists but always exits 0.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const sdkDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const tmp = mkdtempSync(join(tmpdir(), 'anarchy-tsdoc-'));
const jsonFile = join(tmp, 'api.json');

// TypeDoc kinds (ReflectionKind): see typedoc's models/kind.ts.
const KIND = { Module: 2, Namespace: 4, Function: 64, Class: 128, Reference: 4194304 };

try {
  const r = spawnSync(process.execPath, [join(sdkDir, 'scripts', 'typedoc.mjs'), '--options', 'typedoc.json', '--json', jsonFile, '--logLevel', 'Error'], {
    cwd: sdkDir,
    encoding: 'utf8',
  });
  if (r.status !== 0) {
    process.stderr.write(r.stdout + r.stderr);
    throw new Error(`typedoc failed with code ${r.status}`);
  }
  const project = JSON.parse(readFileSync(jsonFile, 'utf8'));
  const undocumented = [];
  const noExample = [];
  const hasComment = (node) => Boolean(node.comment?.summary?.length) || (node.signatures ?? []).some((s) => s.comment?.summary?.length);
  const tags = (node) => [node.comment, ...(node.signatures ?? []).map((s) => s.comment)].flatMap((c) => c?.blockTags ?? []).map((t) => t.tag);
  const ids = new Set();
  const collect = (node) => {
    ids.add(node.id);
    for (const child of node.children ?? []) collect(child);
  };
  collect(project);
  const walk = (node, path) => {
    for (const child of node.children ?? []) {
      const name = path ? `${path}.${child.name}` : child.name;
      // A symbol exported by two entry points (e.g. `Clock` from `.` and `./testing`) is documented
      // once; the second export is a reference that renders as a link to it and has no comment of
      // its own. It is checked where it is declared, unless that declaration is missing.
      if (child.kind === KIND.Reference && ids.has(child.target)) continue;
      if (child.kind === KIND.Module || child.kind === KIND.Namespace) {
        walk(child, child.kind === KIND.Module ? child.name.replace(/^index$/, '@anarchy/sdk').replace(/^(testing|node)$/, '@anarchy/sdk/$1') : name);
        continue;
      }
      if (!hasComment(child)) undocumented.push(name);
      if (child.kind === KIND.Function || child.kind === KIND.Class) {
        const members = child.kind === KIND.Class ? (child.children ?? []).filter((m) => tags(m).includes('@example')).length : 0;
        if (!tags(child).includes('@example') && members === 0) noExample.push(name);
      }
    }
  };
  walk(project, '');
  console.log(`Exports without TSDoc (${undocumented.length}):`);
  for (const n of undocumented) console.log(`  ${n}`);
  console.log(`\nFunctions and classes without an @example (${noExample.length}):`);
  for (const n of noExample) console.log(`  ${n}`);
  if ((undocumented.length > 0 || noExample.length > 0) && !process.argv.includes('--report')) process.exitCode = 1;
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
