/**
 * Full-page screens for what stops a player from playing, each saying what to do next: the signal
 * service is unreachable, the room is full or gone, the versions differ; and the banner shown
 * while a lost connection is being re-established.
 */

/** Which screen an error calls for. */
export type ScreenKind = 'signal-unreachable' | 'room-full' | 'room-not-found' | 'incompatible-version' | 'connection-lost' | 'unknown';

/** Title and advice for an error. */
export interface ScreenText {
  readonly kind: ScreenKind;
  readonly title: string;
  readonly body: string;
}

const codeOf = (err: unknown): string | undefined =>
  typeof err === 'object' && err !== null && typeof (err as { code?: unknown }).code === 'string' ? (err as { code: string }).code : undefined;

/** Maps an error (usually an `AnarchyError` by its `code`) to the screen to show. */
export function describeError(err: unknown, signalUrl: string): ScreenText {
  const message = err instanceof Error ? err.message : String(err);
  switch (codeOf(err)) {
    case 'signal-unreachable':
    case 'signal-server-error':
      return {
        kind: 'signal-unreachable',
        title: 'The signal service is unreachable',
        body: `Nothing answered at ${signalUrl}. Start it (pnpm dev starts it on port 8787), or open the page with ?signal=<url> pointing at a running one, then retry.`,
      };
    case 'room-full':
      return { kind: 'room-full', title: 'This room is full', body: 'Every seat is taken. Ask a player to leave, or create a new room and share its link.' };
    case 'room-not-found':
      return {
        kind: 'room-not-found',
        title: 'This room does not exist',
        body: 'The link may be mistyped, or the room closed when its last player left (or the signal service restarted). Create a new room.',
      };
    case 'incompatible-version':
      return {
        kind: 'incompatible-version',
        title: 'Incompatible version',
        body: 'This page speaks another protocol version than the room. Reload to get the current version (everyone in a room must run the same one).',
      };
    case 'signal-disconnected':
    case 'peer-connection-failed':
    case 'closed':
      return { kind: 'connection-lost', title: 'Connection lost', body: `${message} Reconnecting…` };
    default:
      return { kind: 'unknown', title: 'Something went wrong', body: message };
  }
}

/** A button on a screen. */
export interface ScreenAction {
  readonly label: string;
  readonly run: () => void;
}

/** Replaces `root`'s content with an error screen. */
export function showScreen(root: HTMLElement, text: ScreenText, actions: readonly ScreenAction[]): void {
  root.textContent = '';
  const box = document.createElement('section');
  box.className = `screen screen-${text.kind}`;
  box.dataset['screen'] = text.kind;
  const h = document.createElement('h1');
  h.textContent = text.title;
  const p = document.createElement('p');
  p.textContent = text.body;
  const row = document.createElement('div');
  row.className = 'actions';
  for (const a of actions) {
    const b = document.createElement('button');
    b.textContent = a.label;
    b.addEventListener('click', a.run);
    row.append(b);
  }
  box.append(h, p, row);
  root.append(box);
}

/** Shows (text) or hides (undefined) the reconnecting banner over the game. */
export function setBanner(el: HTMLElement, text: string | undefined): void {
  el.hidden = text === undefined;
  el.textContent = text ?? '';
}
