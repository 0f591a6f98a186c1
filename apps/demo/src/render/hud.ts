/**
 * The HUD (key H): peers with their round-trip times, bytes in and out per second, deltas per
 * second, from `room.metrics()` sampled once a second. Off, its timer is stopped: no cost.
 */
import { SECTORS } from '../game/galaxy.js';
import type { GameSession } from '../net/session.js';
import type { MetricsLike } from '../net/port.js';

/** Totals of one metrics sample. */
interface Sample {
  readonly at: number;
  readonly bytesIn: number;
  readonly bytesOut: number;
  readonly deltas: number;
  readonly perPeer: ReadonlyMap<string, { readonly bytesIn: number; readonly bytesOut: number }>;
}

/** Sums a metrics report. */
export function sample(m: MetricsLike, at: number): Sample {
  let bytesIn = 0;
  let bytesOut = 0;
  let deltas = 0;
  const perPeer = new Map<string, { bytesIn: number; bytesOut: number }>();
  for (const [peer, p] of Object.entries(m.peers)) {
    bytesIn += p.bytesIn;
    bytesOut += p.bytesOut;
    perPeer.set(peer, { bytesIn: p.bytesIn, bytesOut: p.bytesOut });
  }
  for (const s of Object.values(m.shards)) deltas += s.deltasSent + s.deltasApplied;
  return { at, bytesIn, bytesOut, deltas, perPeer };
}

/** Per-second rates between two samples. */
export function rates(prev: Sample, next: Sample): { bytesIn: number; bytesOut: number; deltas: number } {
  const dt = Math.max(1e-3, (next.at - prev.at) / 1000);
  return { bytesIn: (next.bytesIn - prev.bytesIn) / dt, bytesOut: (next.bytesOut - prev.bytesOut) / dt, deltas: (next.deltas - prev.deltas) / dt };
}

/** Kilobytes without the unit, one decimal below 10. */
const kbNumber = (bytes: number): string => (bytes >= 10_240 ? (bytes / 1024).toFixed(0) : (bytes / 1024).toFixed(1));

const kb = (bytes: number): string => (bytes >= 10_240 ? `${(bytes / 1024).toFixed(0)} KB` : `${(bytes / 1024).toFixed(1)} KB`);

export class Hud {
  enabled = false;
  private timer: ReturnType<typeof setInterval> | undefined;
  private prev: Sample | undefined;

  constructor(
    private readonly el: HTMLElement,
    private readonly session: () => GameSession | undefined,
    private readonly fps: () => number,
    private readonly frameMs: () => number,
  ) {}

  toggle(): void {
    this.enabled = !this.enabled;
    this.el.hidden = !this.enabled;
    if (this.enabled) {
      this.prev = undefined;
      this.update();
      this.timer = setInterval(() => this.update(), 1000);
    } else if (this.timer !== undefined) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  private update(): void {
    const session = this.session();
    if (!session || session.room.closed) return;
    const m = session.room.metrics();
    const now = performance.now();
    const s = sample(m, now);
    const r = this.prev ? rates(this.prev, s) : undefined;
    const prevPeers = this.prev?.perPeer;
    const dt = this.prev ? Math.max(1e-3, (s.at - this.prev.at) / 1000) : 1;
    this.prev = s;
    const czarOf = Object.values(m.shards).filter((x) => x.role === 'czar').length;
    const w = session.refresh();
    const live = new Set<string>(session.room.peers());
    const connected = Object.entries(m.peers).filter(([peer]) => live.has(peer));
    // Short lines: the HUD is a narrow side column (style.css --side) beside the galaxy.
    const lines: string[] = [
      `fps ${this.fps().toFixed(0)} · draw ${this.frameMs().toFixed(1)} ms`,
      `ships ${w.count} · czar ${czarOf}/${Object.keys(m.shards).length} shards`,
      `receives ${session.interest().length}/${SECTORS.length} sectors`,
      r ? `in ${kb(r.bytesIn)}/s · out ${kb(r.bytesOut)}/s` : 'measuring…',
      r ? `deltas ${r.deltas.toFixed(0)}/s` : '',
      '',
      `peers (${connected.length})    rtt  in/out KB/s`,
    ];
    // Metrics keep counters of departed peers; the HUD lists only the connected ones.
    for (const [peer, p] of connected) {
      const rtt = p.srttMs ?? p.rttMs;
      const before = prevPeers?.get(peer);
      const io = before && r ? `${kbNumber((p.bytesIn - before.bytesIn) / dt)}/${kbNumber((p.bytesOut - before.bytesOut) / dt)}` : '…';
      const name = session.playerOfPeer(peer)?.player.name ?? peer.slice(0, 6);
      lines.push(`${name.padEnd(9).slice(0, 9)} ${(rtt === undefined ? '–' : `${rtt.toFixed(0)}ms`).padStart(6)}  ${io}`);
    }
    this.el.textContent = lines.join('\n');
  }
}
