/**
 * Starts a signalling server in a child process (packages/signal/bench/server-child.mjs) and
 * talks to it over stdin/stdout, so the server's resident memory is measured alone.
 */
import { execFileSync, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
/** packages/signal */
export const SIGNAL_PACKAGE_DIR = join(here, '..', '..', '..', 'signal');
const CHILD_SCRIPT = join(SIGNAL_PACKAGE_DIR, 'bench', 'server-child.mjs');
/** Where the suite compiles packages/signal/src (a `dist/` directory, so git ignores it). */
export const SIGNAL_BENCH_BUILD_DIR = join(SIGNAL_PACKAGE_DIR, 'bench', 'dist');

/** How long a child may take to start or to answer one command, in ms. */
const ANSWER_TIMEOUT_MS = 30_000;

/** Which server the child runs. */
export type ServerKind = 'signal' | 'peerserver';

/** Memory figures the child reports, in bytes, after GC settles. */
export interface ChildMemory {
  readonly rss: number;
  readonly heapUsed: number;
  readonly external: number;
  readonly arrayBuffers: number;
  /** Open PeerServer sockets the server counts (a check that every client really is held). */
  readonly clients: number;
}

/** A running child server. */
export interface ServerChild {
  readonly kind: ServerKind;
  readonly port: number;
  /** WebSocket path of the PeerServer endpoint, e.g. `/peerjs/peerjs`. */
  readonly wsPath: string;
  /** RSS right after the server started listening, in bytes (before any GC). */
  readonly startRss: number;
  /** The child's soft limit on open files, or null if unknown. */
  readonly openFileLimit: number | null;
  measure(): Promise<ChildMemory>;
  /** Writes a V8 heap snapshot of the server to `file` (for diagnosis); resolves with its path. */
  snapshot(file: string): Promise<string>;
  /** Closes the server and waits for the process to exit. */
  stop(): Promise<void>;
}

/**
 * Compiles packages/signal/src into {@link SIGNAL_BENCH_BUILD_DIR} with the signal package's own
 * tsc, so the child runs the current source as plain JavaScript (no loader in the measured process).
 */
export function buildSignalForBench(): string {
  const tsc = join(SIGNAL_PACKAGE_DIR, 'node_modules', '.bin', 'tsc');
  if (!existsSync(tsc)) throw new Error(`No tsc at ${tsc}; run pnpm install in the repository root first.`);
  execFileSync(tsc, ['-p', join(SIGNAL_PACKAGE_DIR, 'tsconfig.build.json'), '--outDir', SIGNAL_BENCH_BUILD_DIR, '--declaration', 'false', '--declarationMap', 'false', '--sourceMap', 'false'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return SIGNAL_BENCH_BUILD_DIR;
}

/** Starts a child server; resolves once it listens. */
export async function startServerChild(kind: ServerKind, options: { signalDist?: string; rateLimitMax?: number; nodeArgs?: readonly string[] } = {}): Promise<ServerChild> {
  const args = ['--expose-gc', ...(options.nodeArgs ?? []), CHILD_SCRIPT, kind];
  if (kind === 'signal') {
    if (options.signalDist === undefined) throw new Error('startServerChild("signal") needs signalDist (see buildSignalForBench)');
    args.push(options.signalDist, String(options.rateLimitMax ?? 1_000_000));
  }
  const child: ChildProcessWithoutNullStreams = spawn(process.execPath, args, { cwd: SIGNAL_PACKAGE_DIR, stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => void (stderr = (stderr + chunk.toString()).slice(-4000)));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  const waiting: Array<(message: Record<string, unknown>) => void> = [];
  createInterface({ input: child.stdout }).on('line', (line) => {
    let message: Record<string, unknown>;
    try {
      message = JSON.parse(line) as Record<string, unknown>;
    } catch {
      return; // Not ours (a stray log line).
    }
    waiting.shift()?.(message);
  });
  const next = (what: string): Promise<Record<string, unknown>> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${kind} child: no answer to ${what} within ${ANSWER_TIMEOUT_MS} ms; stderr: ${stderr}`)), ANSWER_TIMEOUT_MS);
      const done = (message: Record<string, unknown>): void => {
        clearTimeout(timer);
        if (message['event'] === 'error') reject(new Error(`${kind} child: ${String(message['message'])}`));
        else resolve(message);
      };
      waiting.push(done);
      void exited.then((code) => {
        const i = waiting.indexOf(done);
        if (i === -1) return;
        waiting.splice(i, 1);
        clearTimeout(timer);
        reject(new Error(`${kind} child exited (code ${String(code)}) before answering ${what}; stderr: ${stderr}`));
      });
    });

  const ready = await next('start');
  return {
    kind,
    port: Number(ready['port']),
    wsPath: String(ready['wsPath']),
    startRss: Number(ready['rss']),
    openFileLimit: typeof ready['openFileLimit'] === 'number' ? ready['openFileLimit'] : null,
    async measure() {
      const answer = next('measure');
      child.stdin.write('measure\n');
      const m = await answer;
      return { rss: Number(m['rss']), heapUsed: Number(m['heapUsed']), external: Number(m['external']), arrayBuffers: Number(m['arrayBuffers']), clients: Number(m['clients']) };
    },
    async snapshot(file) {
      const answer = next('snapshot');
      child.stdin.write(`snapshot ${file}\n`);
      return String((await answer)['file']);
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const closed = next('exit').catch(() => undefined);
      child.stdin.end('exit\n');
      const timer = setTimeout(() => child.kill('SIGKILL'), ANSWER_TIMEOUT_MS);
      await closed;
      await exited;
      clearTimeout(timer);
    },
  };
}
