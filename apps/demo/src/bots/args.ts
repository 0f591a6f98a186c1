/**
 * Arguments of the Node bot runner (scripts/bots.ts):
 * `--room <id> [--count N] [--signal <url>] [--fleet N] [--seconds S] [--seed N]`.
 */
import { FLEET_SIZE, MAX_FLEET } from '../game/constants.js';

export interface BotArgs {
  readonly room: string;
  readonly count: number;
  readonly signalUrl: string;
  readonly fleet: number;
  /** Stop after this many seconds (0: run until Ctrl+C). */
  readonly seconds: number;
  /** Seed of the bots' decisions (each bot forks its own stream). */
  readonly seed: number;
}

/** Most bots one runner starts (each holds a WebRTC connection to every peer). */
export const MAX_NODE_BOTS = 32;

export const BOT_USAGE = 'usage: pnpm --filter @anarchy/demo bots -- --room <id> [--count N] [--signal <url>] [--fleet N] [--seconds S] [--seed N]';

/** Parses argv (without node and the script); throws with the usage on bad input. */
export function parseBotArgs(argv: readonly string[]): BotArgs {
  const values = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') continue; // pnpm passes the separator through
    const m = /^--([a-z]+)(?:=(.*))?$/.exec(a);
    if (!m) throw new Error(`unexpected argument ${JSON.stringify(a)}\n${BOT_USAGE}`);
    const value = m[2] ?? argv[++i];
    if (value === undefined) throw new Error(`--${m[1]!} needs a value\n${BOT_USAGE}`);
    values.set(m[1]!, value);
  }
  const known = new Set(['room', 'count', 'signal', 'fleet', 'seconds', 'seed']);
  for (const k of values.keys()) if (!known.has(k)) throw new Error(`unknown option --${k}\n${BOT_USAGE}`);
  const room = values.get('room');
  if (!room) throw new Error(`--room is required\n${BOT_USAGE}`);
  const int = (name: string, fallback: number, min: number, max: number): number => {
    const raw = values.get(name);
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max) throw new Error(`--${name} must be an integer in ${min}..${max}\n${BOT_USAGE}`);
    return n;
  };
  return {
    room,
    count: int('count', 1, 1, MAX_NODE_BOTS),
    signalUrl: values.get('signal') ?? 'http://127.0.0.1:8787',
    fleet: int('fleet', FLEET_SIZE, 1, MAX_FLEET),
    seconds: int('seconds', 0, 0, 86_400),
    seed: int('seed', 1, 0, 2 ** 31),
  };
}
