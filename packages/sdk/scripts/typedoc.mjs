/**
 * `pnpm --filter @anarchy/sdk docs`: the API reference (docs/api/) from the TSDoc in src/.
 *
 * TypeDoc needs TypeScript's JavaScript compiler API, which TypeScript 7 (the Go-native compiler
 * this repo builds with) no longer ships. TypeScript 6 is installed beside it as `typescript-6`,
 * and a resolve hook hands it to TypeDoc, and to TypeDoc only, when it imports "typescript".
 * Arguments are passed on to TypeDoc (`--options`, `--json out.json`, `--emit none`, …).
 */
import { createRequire, register } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

const require = createRequire(import.meta.url);
const ts6 = pathToFileURL(require.resolve('typescript-6')).href;
const hook = `
  export async function resolve(specifier, context, next) {
    if (specifier === 'typescript' && context.parentURL?.includes('/typedoc/')) {
      return { url: ${JSON.stringify(ts6)}, format: 'commonjs', shortCircuit: true };
    }
    return next(specifier, context);
  }`;
register(`data:text/javascript,${encodeURIComponent(hook)}`);

// The hook applies to imports made after register(): load TypeDoc's CLI in this process (its bin would fork a child without the hook).
const bin = join(dirname(require.resolve('typedoc/package.json')), 'dist', 'cli.js');
await import(pathToFileURL(bin).href);
