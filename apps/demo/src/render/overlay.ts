/**
 * The machinery overlay (key O): each gameplay sector tinted with its czar's player colour, the
 * czar and backup order of the sector under the pointer, and a log of failovers, czar moves and
 * hand-offs. Off, it costs nothing per frame: no drawing, no DOM work, no czar look-ups (the log
 * is only appended to a capped array).
 */
import { GAMEPLAY_SIDE } from '../game/constants.js';
import { SECTORS, sectorAt, type SectorInfo } from '../game/galaxy.js';
import type { GameSession, LogEntry } from '../net/session.js';
import type { Camera } from './camera.js';

/** Log lines kept. */
const LOG_LIMIT = 200;
/** Log lines shown. */
const LOG_SHOWN = 16;
/** How often the czar colours are looked up again while the overlay is on, in ms. */
const REFRESH_MS = 250;

const short = (peer: string): string => peer.slice(0, 6);

export class Overlay {
  enabled = false;
  private readonly log: LogEntry[] = [];
  private logDirty = true;
  private readonly colours: string[] = SECTORS.map(() => '#888888');
  private readonly labels: string[] = SECTORS.map(() => '');
  private refreshedAt = -Infinity;
  private hovered: SectorInfo | undefined;
  private tooltipFor = '';

  constructor(
    private readonly logEl: HTMLElement,
    private readonly tooltipEl: HTMLElement,
  ) {}

  toggle(): void {
    this.enabled = !this.enabled;
    this.logEl.hidden = !this.enabled;
    this.tooltipEl.hidden = true;
    this.refreshedAt = -Infinity;
    this.tooltipFor = '';
    this.logDirty = true;
  }

  /** Appends to the log (always: cheap), shown when the overlay is on. */
  push(entry: LogEntry): void {
    this.log.push(entry);
    if (this.log.length > LOG_LIMIT) this.log.splice(0, this.log.length - LOG_LIMIT);
    this.logDirty = true;
  }

  /** Entries so far (for devtools). */
  entries(): readonly LogEntry[] {
    return this.log;
  }

  /** The pointer moved to world point (x, y), or left the canvas (undefined). */
  hover(x: number | undefined, y: number | undefined): void {
    this.hovered = x === undefined || y === undefined ? undefined : sectorAt(x, y);
  }

  /** Draws the czar tints and updates the DOM parts. Call only when enabled. */
  draw(ctx: CanvasRenderingContext2D, cam: Camera, session: GameSession, now: number): void {
    if (now - this.refreshedAt > REFRESH_MS) this.refresh(session, now);
    const side = GAMEPLAY_SIDE * cam.zoom;
    ctx.font = '12px system-ui, sans-serif';
    ctx.textAlign = 'center';
    ctx.textBaseline = 'middle';
    for (const s of SECTORS) {
      const x = cam.sx(s.bounds.minX);
      const y = cam.sy(s.bounds.minY);
      if (x > cam.width || y > cam.height || x + side < 0 || y + side < 0) continue;
      ctx.globalAlpha = 0.2;
      ctx.fillStyle = this.colours[s.index]!;
      ctx.fillRect(x, y, side, side);
      ctx.globalAlpha = 1;
      if (side > 70) {
        ctx.fillStyle = this.colours[s.index]!;
        ctx.fillText(this.labels[s.index]!, x + side / 2, y + side - 12);
      }
    }
    if (this.hovered) {
      const h = this.hovered;
      ctx.strokeStyle = '#ffffff';
      ctx.lineWidth = 2;
      ctx.strokeRect(cam.sx(h.bounds.minX), cam.sy(h.bounds.minY), side, side);
    }
    ctx.textAlign = 'start';
    this.updateTooltip(session);
    if (this.logDirty) this.renderLog();
  }

  private refresh(session: GameSession, now: number): void {
    this.refreshedAt = now;
    const byPeer = new Map<string, { name: string; colour: string }>();
    session.players().players.forEach((p) => byPeer.set(p.peer, { name: p.name, colour: p.colour }));
    for (const s of SECTORS) {
      const czar = session.room.czarOf(s.key);
      const who = czar === undefined ? undefined : byPeer.get(czar);
      this.colours[s.index] = who?.colour ?? '#9aa3b5';
      this.labels[s.index] = czar === undefined ? 'no czar' : `czar ${who?.name ?? short(czar)}`;
    }
    this.tooltipFor = ''; // backups may have changed too
  }

  private updateTooltip(session: GameSession): void {
    const h = this.hovered;
    if (!h) {
      this.tooltipEl.hidden = true;
      this.tooltipFor = '';
      return;
    }
    if (this.tooltipFor === h.key) return;
    this.tooltipFor = h.key;
    const name = (peer: string | undefined): string => {
      if (peer === undefined) return 'none';
      const p = session.playerOfPeer(peer);
      return p ? `${p.player.name} (${short(peer)})` : short(peer);
    };
    const backups = session.room.backupsOf(h.key);
    this.tooltipEl.textContent = '';
    const title = document.createElement('strong');
    title.textContent = h.key;
    const czar = document.createElement('div');
    czar.textContent = `czar: ${name(session.room.czarOf(h.key))}`;
    const list = document.createElement('ol');
    for (const b of backups) {
      const li = document.createElement('li');
      li.textContent = name(b);
      list.append(li);
    }
    const caption = document.createElement('div');
    caption.textContent = backups.length > 0 ? 'backups, in takeover order:' : 'no backups (alone in the room)';
    this.tooltipEl.append(title, czar, caption, list);
    this.tooltipEl.hidden = false;
  }

  private renderLog(): void {
    this.logDirty = false;
    this.logEl.textContent = '';
    const title = document.createElement('strong');
    title.textContent = 'Machinery log';
    const legend = document.createElement('div');
    legend.className = 'legend';
    for (const [kind, label] of LEGEND) {
      const span = document.createElement('span');
      span.className = `log-${kind}`;
      span.textContent = label;
      legend.append(span);
    }
    this.logEl.append(title, legend);
    for (const e of this.log.slice(-LOG_SHOWN).reverse()) {
      const row = document.createElement('div');
      row.className = `entry log-${e.kind}`;
      const time = document.createElement('time');
      time.textContent = clockTime(performance.timeOrigin + e.at);
      row.append(time, e.text);
      this.logEl.append(row);
    }
  }
}

/** The colours of the log, explained (the kinds a player cares about; info and errors speak for themselves). */
const LEGEND: ReadonlyArray<readonly [LogEntry['kind'], string]> = [
  ['failover', 'failover'],
  ['czar', 'czar move'],
  ['handoff', 'hand-off'],
  ['capture', 'capture'],
];

/** `hh:mm:ss`, 24-hour: short enough for the narrow log column. */
function clockTime(ms: number): string {
  const d = new Date(ms);
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
}
