/** Reads a required query-string parameter; the message says which URL to open instead. */
export function requiredParam(name: string): string {
  const value = new URLSearchParams(location.search).get(name);
  if (value === null || value === '') {
    throw new Error(`missing ?${name}= in ${location.href}; open e.g. peer.html?signal=http://127.0.0.1:61110&room=ROOM`);
  }
  return value;
}

/** Records a start-up failure where specs look for it, and rethrows for the console. */
export function reportStartupError(err: unknown): never {
  window.e2eError = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  throw err;
}

export const describeError = (err: unknown): string => (err instanceof Error ? `${err.name}: ${err.message}` : String(err));
