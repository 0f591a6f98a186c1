/**
 * The in-game page: full-window canvas, a top bar (room, link, profile, toggles), the player list,
 * and the panels the view fills (HUD, machinery log, sector tooltip, reconnect banner).
 */
import { roomLink, type DemoConfig } from '../config.js';
import type { GameSession, Profile } from '../net/session.js';
import type { Insets } from '../render/camera.js';
import { copyText } from './clipboard.js';
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
  /** How far the bars and side panels cover the canvas (see {@link panelInsets}). */
  insets(): Insets;
}

/** Room between a side panel and the window's edge, and between the panel and the galaxy, in px. */
const PANEL_MARGIN_PX = 10;

/**
 * The canvas edges the page's panels cover: the top bar (its bottom edge at `barBottom`), the
 * help line (its top edge at `helpTop`), and, when the window is wide enough to leave the galaxy
 * at least 3/4 of the free height across, the two side columns (`side` wide, `--side` in
 * style.css) that hold the player list and tooltip on the left, the HUD and the log on the right.
 * The camera fits the galaxy between them, so no panel hides a sector. All in CSS pixels.
 *
 * @example
 * ```ts
 * camera.setInsets(panelInsets(bar.getBoundingClientRect().bottom, help.getBoundingClientRect().top, innerWidth, innerHeight, 240));
 * ```
 */
export function panelInsets(barBottom: number, helpTop: number, width: number, height: number, side: number): Insets {
  const top = Math.max(0, barBottom);
  const bottom = Math.max(0, height - helpTop);
  const column = side + 2 * PANEL_MARGIN_PX;
  const columns = width - 2 * column >= 0.75 * (height - top - bottom);
  return { top, bottom, left: columns ? column : 0, right: columns ? column : 0 };
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
    void copyText(link).then((ok) => (copy.textContent = ok ? 'Copied' : 'Copy failed'));
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
  const insets = (): Insets => {
    const side = Number.parseFloat(getComputedStyle(document.documentElement).getPropertyValue('--side')) || 0;
    // The top bar wraps on narrow windows: the panels under it follow its height.
    root.style.setProperty('--bar', `${Math.round(bar.getBoundingClientRect().bottom)}px`);
    return panelInsets(bar.getBoundingClientRect().bottom, help.getBoundingClientRect().top, canvas.clientWidth, canvas.clientHeight, side);
  };
  return { canvas, hud, log, tooltip, banner, status, players, insets };
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
    const stats = document.createElement('span');
    stats.className = 'stats';
    const n = ships.get(id) ?? 0;
    const k = planets.get(id) ?? 0;
    stats.textContent = `${n} ship${n === 1 ? '' : 's'} · ${k} planet${k === 1 ? '' : 's'}`;
    row.append(dot, `${p.name}${me}`, stats);
    el.append(row);
  });
}
