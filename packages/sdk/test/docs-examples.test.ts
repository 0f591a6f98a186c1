/**
 * Every code example in docs/ is a file in docs/examples/, and this test keeps them honest:
 *
 * - all of them type-check (`tsc -p docs/tsconfig.json`, against the SDK's source);
 * - the Markdown shows their current text (`node docs/sync-examples.mjs --check`);
 * - the ones that run in Node (`*.sim.ts` on the simulated network, `*.run.ts` on loopback) run
 *   here, and what they print must equal the `// → …` comment after each `console.log` (so the
 *   docs show real output);
 * - `*.vitest.ts` examples are test files for a game: their tests run as part of this file.
 *
 * The examples import `@anarchy/sdk` as a game would; here that name is pointed at src/ by
 * copying each example into test/.docs-examples/ with its SDK imports rewritten. Other bare
 * imports then resolve from this package, exactly as in the example's own project.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { format } from 'node:util';
import { afterAll, describe, expect, it, vi } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));
const sdkDir = join(here, '..');
const repoDir = join(sdkDir, '..', '..');
const docsDir = join(repoDir, 'docs');
const examplesDir = join(docsDir, 'examples');
const workDir = join(here, '.docs-examples');

const SDK_ENTRIES: Readonly<Record<string, string>> = {
  '@anarchy/sdk': join(sdkDir, 'src', 'index.ts'),
  '@anarchy/sdk/testing': join(sdkDir, 'src', 'testing.ts'),
  '@anarchy/sdk/node': join(sdkDir, 'src', 'node.ts'),
  '@anarchy/signal': join(repoDir, 'packages', 'signal', 'src', 'index.ts'),
};

/** The example's source with `@anarchy/*` imports pointed at the source files. */
export function rewriteImports(source: string): string {
  return source.replace(/(from\s+|import\s*\(\s*)(['"])(@anarchy\/[a-z/]+)\2/g, (all, lead: string, quote: string, spec: string) => {
    const target = SDK_ENTRIES[spec];
    return target === undefined ? all : `${lead}${quote}${pathToFileURL(target).href}${quote}`;
  });
}

/** The `// → …` expectations of an example, in source order. */
export function expectedOutput(source: string): string[] {
  const out: string[] = [];
  for (const line of source.split('\n')) {
    const m = /console\.log\(.*\/\/ → (.*)$/.exec(line);
    if (m) out.push(m[1]!.trimEnd());
  }
  return out;
}

const exampleFiles = readdirSync(examplesDir).filter((f) => f.endsWith('.ts')).sort();

// Copies of every example (relative imports between examples keep working), made once.
rmSync(workDir, { recursive: true, force: true });
mkdirSync(workDir, { recursive: true });
writeFileSync(join(workDir, '.gitignore'), '*\n');
for (const f of exampleFiles) writeFileSync(join(workDir, f), rewriteImports(readFileSync(join(examplesDir, f), 'utf8')));
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

describe('docs examples', () => {
  it('type-check with docs/tsconfig.json', () => {
    const tsc = join(dirname(createRequire(import.meta.url).resolve('typescript/package.json')), 'bin', 'tsc');
    const r = spawnSync(process.execPath, [tsc, '-p', join(docsDir, 'tsconfig.json')], { encoding: 'utf8' });
    expect(`${r.stdout}${r.stderr}`.trim()).toBe('');
    expect(r.status).toBe(0);
  });

  it('are shown in the Markdown as they are (docs/sync-examples.mjs --check)', () => {
    let output = '';
    try {
      output = execFileSync(process.execPath, [join(docsDir, 'sync-examples.mjs'), '--check'], { encoding: 'utf8', stdio: 'pipe' });
    } catch (err) {
      const e = err as { stdout?: string; stderr?: string };
      output = `${e.stdout ?? ''}${e.stderr ?? ''}`;
      expect.fail(output);
    }
    expect(output).toBe('');
  });

  it('every example is shown in some page', () => {
    const pages = readdirSync(docsDir, { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.md') && !f.startsWith('api'))
      .map((f) => readFileSync(join(docsDir, f), 'utf8'))
      .join('\n');
    const unshown = exampleFiles.filter((f) => !pages.includes(`<!-- example: ${f.replace(/\.ts$/, '')} -->`));
    expect(unshown).toEqual([]);
  });

  for (const f of exampleFiles.filter((x) => x.endsWith('.sim.ts') || x.endsWith('.run.ts'))) {
    it(`${f} runs and prints what its comments say`, async () => {
      const expected = expectedOutput(readFileSync(join(examplesDir, f), 'utf8'));
      const printed: string[] = [];
      const spy = vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void printed.push(format(...args)));
      try {
        await import(pathToFileURL(join(workDir, f)).href);
      } finally {
        spy.mockRestore();
      }
      expect(expected.length).toBeGreaterThan(0);
      expect(printed).toEqual(expected);
    });
  }
});

// Example test files register their own describe/it blocks while this file is collected.
for (const f of exampleFiles.filter((x) => x.endsWith('.vitest.ts'))) {
  await import(pathToFileURL(join(workDir, f)).href);
}
