/**
 * The `anarchy-signal` program as a function of argv, env and injected I/O, so it is tested in
 * process; `cli.ts` only wires it to the real process.
 */
import { HELP_TEXT, parseArgs, type Env } from './args.js';
import { createJsonLogger } from './logger.js';
import { createSignalServer } from './server.js';

/** Exit code for bad flags or environment values (the usual "usage error"). */
export const EXIT_USAGE = 2;
/** Exit code when the server cannot start or a second signal forces an exit. */
export const EXIT_FAILURE = 1;

/** The process as the CLI sees it. */
export interface CliIo {
  readonly stdout: (text: string) => void;
  /** Receives error messages and the JSON log lines. */
  readonly stderr: (text: string) => void;
  /** Subscribes to shutdown signals (SIGINT, SIGTERM); returns an unsubscribe function. */
  readonly onSignal: (handler: (signal: string) => void) => () => void;
}

/**
 * Runs the CLI; resolves with the exit code: 0 after `--help` or a graceful shutdown, 2 for a
 * usage error, 1 if the server fails to start or a second signal interrupts the shutdown.
 */
export async function runCli(argv: readonly string[], env: Env, io: CliIo): Promise<number> {
  const parsed = parseArgs(argv, env);
  if (parsed.kind === 'help') {
    io.stdout(HELP_TEXT);
    return 0;
  }
  if (parsed.kind === 'error') {
    io.stderr(`anarchy-signal: ${parsed.message}\n`);
    return EXIT_USAGE;
  }

  const { logLevel, ...serverConfig } = parsed.config;
  const logger = createJsonLogger({ write: io.stderr, level: logLevel });
  let server;
  try {
    server = await createSignalServer({ ...serverConfig, logger });
  } catch (err) {
    logger.log('error', 'signal server failed to start', { err: err instanceof Error ? err : String(err) });
    return EXIT_FAILURE;
  }
  const running = server;

  return new Promise<number>((resolve) => {
    let shuttingDown = false;
    const unsubscribe = io.onSignal((signal) => {
      if (shuttingDown) {
        logger.log('warn', 'second signal, exiting without waiting', { signal });
        unsubscribe();
        resolve(EXIT_FAILURE);
        return;
      }
      shuttingDown = true;
      logger.log('info', 'shutting down', { signal });
      running.close().then(
        () => {
          unsubscribe();
          resolve(0);
        },
        (err: unknown) => {
          logger.log('error', 'shutdown failed', { err: err instanceof Error ? err : String(err) });
          unsubscribe();
          resolve(EXIT_FAILURE);
        },
      );
    });
  });
}
