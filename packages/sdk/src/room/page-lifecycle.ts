/**
 * The browser's page lifecycle, as a room needs it ([R27], [R28]): a tab being closed
 * (`pagehide`) and a tab being hidden or shown again (`visibilitychange`). Hidden tabs run timers
 * at most once a second, so a hidden czar would write late and answer probes late; the room hands
 * its shards on instead and comes back when visible.
 *
 * A no-op where there is no page (Node, workers without `document`): nothing is registered.
 */

/** The parts of `window` / `document` used here; pass your own in tests. */
export interface PageLike {
  addEventListener(type: string, listener: () => void): void;
  removeEventListener?(type: string, listener: () => void): void;
  /** `document.visibilityState`: 'visible' or 'hidden'. */
  readonly visibilityState?: string;
}

export interface PageHandlers {
  /** The page is going away (tab closed, navigated away): leave now, synchronously. */
  pagehide(): void;
  /** The tab was hidden. */
  hidden(): void;
  /** The tab is visible again. */
  visible(): void;
}

interface PageTargets {
  /** Receives `pagehide` (the window). */
  readonly window: PageLike | undefined;
  /** Receives `visibilitychange` and has `visibilityState` (the document). */
  readonly document: PageLike | undefined;
}

function isPage(x: unknown): x is PageLike {
  return typeof x === 'object' && x !== null && typeof (x as { addEventListener?: unknown }).addEventListener === 'function';
}

/** The global window and document, if this runs in a page. */
export function globalPage(): PageTargets {
  const g = globalThis as { document?: unknown };
  return { window: isPage(globalThis) ? (globalThis as unknown as PageLike) : undefined, document: isPage(g.document) ? g.document : undefined };
}

/**
 * Calls `handlers` on the page's lifecycle events; returns a function that unregisters them.
 * `targets` defaults to the global window and document (none in Node: then nothing happens).
 */
export function watchPage(handlers: PageHandlers, targets: PageTargets = globalPage()): () => void {
  const offs: Array<() => void> = [];
  const win = targets.window;
  const doc = targets.document;
  if (win) {
    const onPageHide = (): void => handlers.pagehide();
    win.addEventListener('pagehide', onPageHide);
    offs.push(() => win.removeEventListener?.('pagehide', onPageHide));
  }
  if (doc) {
    const onVisibility = (): void => {
      if (doc.visibilityState === 'hidden') handlers.hidden();
      else if (doc.visibilityState === 'visible') handlers.visible();
    };
    doc.addEventListener('visibilitychange', onVisibility);
    offs.push(() => doc.removeEventListener?.('visibilitychange', onVisibility));
    // A room created in a background tab starts aside.
    if (doc.visibilityState === 'hidden') handlers.hidden();
  }
  return () => {
    for (const off of offs.splice(0)) off();
  };
}
