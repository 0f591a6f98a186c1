import { describe, expect, it } from 'vitest';
import { EXIT_USAGE, runCli, type CliIo } from './main.js';

function fakeIo() {
  const out: string[] = [];
  const err: string[] = [];
  const handlers = new Set<(signal: string) => void>();
  const io: CliIo = {
    stdout: (text) => void out.push(text),
    stderr: (text) => void err.push(text),
    onSignal: (handler) => {
      handlers.add(handler);
      return () => void handlers.delete(handler);
    },
  };
  const signal = (name: string) => [...handlers].forEach((handler) => handler(name));
  const logLines = () => err.join('').split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>);
  return { io, out, err, handlers, signal, logLines };
}

async function until<T>(probe: () => T | undefined): Promise<T> {
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setImmediate(resolve));
  }
}

describe('runCli', () => {
  it('prints help to stdout and exits 0', async () => {
    const { io, out, err } = fakeIo();
    expect(await runCli(['--port', '0', '--help'], {}, io)).toBe(0);
    expect(out.join('')).toMatch(/Usage: anarchy-signal/);
    expect(err).toEqual([]);
  });

  it('exits 2 with a clear message on a bad flag', async () => {
    const { io, out, err } = fakeIo();
    expect(await runCli(['--port', 'x'], {}, io)).toBe(EXIT_USAGE);
    expect(err.join('')).toMatch(/^anarchy-signal: --port must be a whole number .*--help/);
    expect(out).toEqual([]);
  });

  it('logs its URL as JSON, serves, and closes gracefully on SIGTERM', async () => {
    const { io, signal, handlers, logLines } = fakeIo();
    const exit = runCli(['--port', '0', '--host', '127.0.0.1'], {}, io);
    const listening = await until(() => logLines().find((line) => line['msg'] === 'signal server listening'));
    expect(listening).toMatchObject({ level: 'info', peerPath: '/peerjs', url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/) });
    const url = listening['url'] as string;
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    signal('SIGTERM');
    expect(await exit).toBe(0);
    expect(handlers.size).toBe(0);
    expect(logLines().map((line) => line['msg'])).toEqual(expect.arrayContaining(['shutting down', 'signal server closed']));
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
  });

  it('exits 1 when the port is taken', async () => {
    const first = fakeIo();
    const running = runCli(['--port', '0'], {}, first.io);
    const listening = await until(() => first.logLines().find((line) => line['msg'] === 'signal server listening'));
    const port = new URL(listening['url'] as string).port;
    const second = fakeIo();
    expect(await runCli(['--port', port], {}, second.io)).toBe(1);
    expect(second.logLines()).toContainEqual(expect.objectContaining({ level: 'error', msg: 'signal server failed to start' }));
    first.signal('SIGINT');
    expect(await running).toBe(0);
  });
});
