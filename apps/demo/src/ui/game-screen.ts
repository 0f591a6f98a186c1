/**
 * The in-game page: full-window canvas, a top bar (room, link, profile, toggles), the player list,
 * and the panels the view fills (HUD, machinery log, sector tooltip, reconnect banner).
 */
import { roomLink, type DemoConfig } from '../config.js';
import type { GameSession, Profile } from '../net/session.js';
import { profileEditor } from './lobby.js';
import type { ProfileStorage } from './profile.js';

/** The parts of the game page that other modules fill. */
export interface GameScreen {
  readonly canvas: HTMLCanvasElement;
  readonly hud: HTMLElement;
  readonly log: HTMLElement;
  readonly tooltip: HTMLElement;
  readonly banner: HTMLElement;
  readonly status: HTMLElement;
  readonly players: HTMLElement;
}

/** Builds the game page in `root`. `onProfile` runs when the player edits name or colour. */
export function buildGameScreen(root: HTMLElement, config: DemoConfig, room: string, storage: ProfileStorage, profile: Profile, onProfile: (p: Profile) => void): GameScreen {
  root.textContent = '';
  root.classList.add('in-game');
  const div = (className: string, text = ''): HTMLDivElement => Object.assign(document.createElement('div'), { className, textContent: text });
  const canvas = Object.assign(document.createElement('canvas'), { className: 'view', id: 'view' });
  const link = roomLink(location.href, config, room);
  const copy = Object.assign(document.createElement('button'), { textContent: 'Copy link', title: link });
  copy.addEventListener('click', () => {
    void navigator.clipboard?.writeText(link).then(
      () => (copy.textContent = 'Copied'),
      () => (copy.textContent = 'Copy failed'),
    );
  });
  const status = div('status', 'Connecting…');
  const bar = div('topbar');
  bar.append(Object.assign(document.createElement('strong'), { textContent: `Room ${room}` }), copy, status, profileEditor(storage, profile, onProfile));
  const hud = Object.assign(div('hud'), { hidden: true });
  const log = Object.assign(div('log'), { hidden: true });
  const tooltip = Object.assign(div('tooltip'), { hidden: true });
  const banner = Object.assign(div('banner'), { hidden: true });
  const players = div('players');
  const help = div(
    'help',
    'Left-drag: select · click: pick a ship · F: whole fleet · right-click: move · right/middle-drag or WASD: pan · wheel: zoom · G: galaxy · Space: home · O: czar overlay · H: HUD',
  );
  root.append(canvas, bar, players, hud, log, tooltip, banner, help);
  return { canvas, hud, log, tooltip, banner, status, players };
}

/** Refreshes the player list: colour, name, ships and planets per player, and who is online. */
export function renderPlayers(el: HTMLElement, session: GameSession): void {
  const w = session.refresh();
  const ships = new Map<string, number>();
  for (let i = 0; i < w.count; i++) ships.set(w.owners[i]!, (ships.get(w.owners[i]!) ?? 0) + 1);
  const planets = new Map<string, number>();
  for (let i = 0; i < w.perSector.length; i++) {
    for (const p of session.sector(i).planets) if (p.owner) planets.set(p.owner, (planets.get(p.owner) ?? 0) + 1);
  }
  const online = new Set(session.room.peers());
  el.textContent = '';
  session.players().players.forEach((p, id) => {
    const row = document.createElement('div');
    row.className = online.has(p.peer) ? 'player' : 'player offline';
    const dot = document.createElement('span');
    dot.className = 'dot';
    dot.style.background = p.colour;
    const me = id === session.profile.playerId ? ' (you)' : '';
    row.append(dot, `${p.name}${me} · ${ships.get(id) ?? 0} ships · ${planets.get(id) ?? 0} planets`);
    el.append(row);
  });
}
