#!/usr/bin/env node
/**
 * Keeps the code blocks of the docs equal to the example files they show.
 *
 * In any Markdown file under docs/ (docs/api/ excepted), a line `<!-- example: NAME -->` followed
 * by a fenced code block marks that block as a copy of `docs/examples/NAME.ts`. This script
 * rewrites every such block with the file's current text. `--check` changes nothing and exits
 * with code 1, naming the stale blocks, when any differs (the docs-examples test runs it).
 *
 *   node docs/sync-examples.mjs          # rewrite stale blocks
 *   node docs/sync-examples.mjs --check  # report them
 */
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const docsDir = dirname(fileURLToPath(import.meta.url));
const examplesDir = join(docsDir, 'examples');
const MARKER = /^<!-- example: ([A-Za-z0-9._-]+) -->$/;

/** Markdown files under `dir`, skipping generated API pages. */
export function markdownFiles(dir = docsDir) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      if (path !== join(docsDir, 'api') && name !== 'node_modules') out.push(...markdownFiles(path));
    } else if (name.endsWith('.md')) out.push(path);
  }
  return out;
}

/**
 * The text of `markdown` with every marked block replaced by its example; `problems` lists
 * markers with no example file or no fenced block under them.
 */
export function syncMarkdown(markdown, readExample) {
  const lines = markdown.split('\n');
  const problems = [];
  const used = [];
  for (let i = 0; i < lines.length; i++) {
    const m = MARKER.exec(lines[i].trim());
    if (!m) continue;
    const name = m[1];
    const open = i + 1;
    const fence = /^(`{3,}|~{3,})(\w*)/.exec(lines[open] ?? '');
    if (!fence) {
      problems.push(`line ${i + 1}: <!-- example: ${name} --> must be followed by a fenced code block`);
      continue;
    }
    let close = open + 1;
    while (close < lines.length && lines[close].trim() !== fence[1]) close++;
    if (close >= lines.length) {
      problems.push(`line ${open + 1}: the code block of example ${name} is never closed`);
      continue;
    }
    const code = readExample(name);
    if (code === undefined) {
      problems.push(`line ${i + 1}: no file docs/examples/${name}.ts`);
      continue;
    }
    used.push(name);
    const body = code.replace(/\n+$/, '').split('\n');
    lines.splice(open + 1, close - open - 1, ...body);
    i = open + body.length + 1;
  }
  return { text: lines.join('\n'), problems, used };
}

function readExample(name) {
  const file = join(examplesDir, `${name}.ts`);
  return existsSync(file) ? readFileSync(file, 'utf8') : undefined;
}

function main() {
  const check = process.argv.includes('--check');
  const stale = [];
  const problems = [];
  for (const file of markdownFiles()) {
    const before = readFileSync(file, 'utf8');
    const result = syncMarkdown(before, readExample);
    const rel = relative(process.cwd(), file);
    for (const p of result.problems) problems.push(`${rel}: ${p}`);
    if (result.text !== before) {
      stale.push(rel);
      if (!check) writeFileSync(file, result.text);
    }
  }
  for (const p of problems) console.error(p);
  if (check && stale.length > 0) {
    console.error(`Code blocks out of date with docs/examples in: ${stale.join(', ')}. Run: node docs/sync-examples.mjs`);
  } else if (!check && stale.length > 0) {
    console.log(`updated ${stale.join(', ')}`);
  }
  if (problems.length > 0 || (check && stale.length > 0)) process.exitCode = 1;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) main();
