/**
 * Demo entry. Without `?room=` it is the lobby (create a room, share the link); with it, it joins
 * the room and plays: see net/session.ts for the game over the SDK's Room, render/ for drawing.
 */
import { startPageBots, type PageBot } from './bots/page-bots.js';
import { readConfig } from './config.js';
import { Connection } from './net/connection.js';
import { createDevtools, type AnarchyDevtools } from './net/devtools.js';
import type { GameSession } from './net/session.js';
import { attachInput } from './render/input.js';
import { GameView } from './render/view.js';
import { buildGameScreen, renderPlayers } from './ui/game-screen.js';
import { showLobby } from './ui/lobby.js';
import { browserStorage, loadProfile } from './ui/profile.js';
import { describeError, setBanner, showScreen } from './ui/screens.js';

declare global {
  interface Window {
    /** The running game, read-only, for tests and devtools (see net/devtools.ts). */
    anarchy?: AnarchyDevtools;
  }
}

const config = readConfig(
  location.search,
  import.meta.env['VITE_SIGNAL_URL'] as string | undefined,
  location,
  import.meta.env['VITE_SIGNAL_PORT'] as string | undefined,
);
const root = document.querySelector<HTMLElement>('#app')!;
const storage = browserStorage();
const profile = loadProfile(storage);

function toLobby(): void {
  location.href = `${location.pathname}${config.signalFromQuery ? `?signal=${encodeURIComponent(config.signalUrl)}` : ''}`;
}

function play(room: string): void {
  const conn = new Connection({ signalUrl: config.signalUrl, room, fleet: config.fleet, profile });
  const screen = buildGameScreen(root, config, room, storage, profile, (p) => void conn.session?.updateProfile(p));
  const view = new GameView(screen);
  view.start();
  attachInput(view, screen.canvas);

  let ready = false;
  let status = 'connecting';
  let resolveReady: (v: true) => void = () => undefined;
  const readyPromise = new Promise<true>((resolve) => (resolveReady = resolve));
  window.anarchy = createDevtools({
    session: () => conn.session,
    isReady: () => ready,
    status: () => status,
    ready: readyPromise,
    playerId: profile.playerId,
    log: () => view.overlay.entries(),
    frames: () => view.frames,
    frameMs: () => view.frameMs,
    camera: () => {
      const c = view.camera;
      return { cx: c.cx, cy: c.cy, zoom: c.zoom, width: c.width, height: c.height, insets: { ...c.insets } };
    },
  });

  let bots: PageBot[] | undefined;
  let playersTimer: ReturnType<typeof setInterval> | undefined;
  const onSession = (session: GameSession): void => {
    view.attach(session);
    if (playersTimer !== undefined) clearInterval(playersTimer);
    playersTimer = setInterval(() => renderPlayers(screen.players, session), 1000);
  };
  conn.events.on('session', onSession);
  conn.events.on('status', (s) => {
    ready = s.state === 'playing';
    status = s.state;
    switch (s.state) {
      case 'connecting':
        screen.status.textContent = 'Connecting…';
        break;
      case 'joining':
        screen.status.textContent = `Joined as ${conn.room?.self.slice(0, 8) ?? '?'}; taking a seat…`;
        break;
      case 'playing':
        screen.status.textContent = `You are ${conn.room?.self.slice(0, 8) ?? '?'}`;
        setBanner(screen.banner, undefined);
        resolveReady(true);
        if (config.bots > 0 && bots === undefined) {
          bots = [];
          void startPageBots({ signalUrl: config.signalUrl, room, count: config.bots, fleet: config.fleet, avoidColours: [profile.colour], onError: (err) => console.warn('bot failed to join', err) }).then((b) => (bots = b));
        }
        break;
      case 'signal-lost':
        setBanner(screen.banner, 'Lost the signal service: you keep playing with the peers you are connected to, but nobody new can join. Reconnecting…');
        break;
      case 'reconnecting':
        screen.status.textContent = 'Reconnecting…';
        setBanner(
          screen.banner,
          describeError(s.error, config.signalUrl).kind === 'signal-unreachable'
            ? `Connection lost, and the signal service at ${config.signalUrl} does not answer. Retrying (attempt ${s.attempt})…`
            : `Connection lost. Reconnecting (attempt ${s.attempt})…`,
        );
        break;
    }
  });
  conn.events.on('fatal', (err) => {
    ready = false;
    status = 'failed';
    view.stop();
    root.classList.remove('in-game');
    const text = describeError(err, config.signalUrl);
    const lobby = { label: text.kind === 'room-full' || text.kind === 'room-not-found' ? 'Create a new room' : 'Back to the lobby', run: toLobby };
    const retry = { label: text.kind === 'incompatible-version' ? 'Reload' : 'Retry', run: () => location.reload() };
    showScreen(root, text, text.kind === 'room-not-found' ? [lobby] : [retry, lobby]);
  });
  addEventListener('pagehide', () => {
    for (const b of bots ?? []) void b.stop();
    void conn.leave();
  });
  conn.start();
}

if (config.room) play(config.room);
else showLobby(root, config, storage, profile);
