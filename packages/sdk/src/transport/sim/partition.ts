/**
 * Which peers can reach which. A partition splits peers into groups; packets between groups are
 * cut. In-flight `state` packets must be cut too when a partition came and went while they flew,
 * so each configuration is kept in a short history indexed by a serial number.
 */
import { ArgumentError } from '../../errors.js';
import type { PeerId } from '../types.js';

/** Group of peers not named in any group of a partition: they stay together. */
const REST = -1;

/**
 * More partitions than this during one packet's flight are not tracked: such a packet is cut.
 * Flights last at most seconds, so only a test flipping partitions every millisecond gets there.
 */
const HISTORY = 64;

interface Config {
  readonly serial: number;
  /** Group index per listed peer; `undefined` when healed (everyone together). */
  readonly groups: ReadonlyMap<PeerId, number> | undefined;
}

export class PartitionTable {
  private history: Config[] = [{ serial: 0, groups: undefined }];

  /** Serial of the current configuration; packets remember it when they leave. */
  get serial(): number {
    return this.current.serial;
  }

  /** True while a partition is in force. */
  get active(): boolean {
    return this.current.groups !== undefined;
  }

  /** Replaces the current configuration: `groups` are cut from each other and from unlisted peers. */
  partition(groups: ReadonlyArray<readonly PeerId[]>): void {
    const map = new Map<PeerId, number>();
    groups.forEach((group, index) => {
      for (const id of group) {
        if (map.has(id)) throw new ArgumentError(`peer ${id} appears in two partition groups; list each peer once`, { peer: id });
        map.set(id, index);
      }
    });
    this.push(map);
  }

  /** Everyone can reach everyone again. */
  heal(): void {
    if (this.active) this.push(undefined);
  }

  /** True if `a` and `b` are on the same side now. */
  reachable(a: PeerId, b: PeerId): boolean {
    return together(this.current.groups, a, b);
  }

  /** True if `a` and `b` were on the same side in every configuration since `serial`, now included. */
  reachableSince(a: PeerId, b: PeerId, serial: number): boolean {
    const h = this.history;
    if (serial < h[0]!.serial) return false;
    for (let i = h.length - 1; i >= 0 && h[i]!.serial >= serial; i--) {
      if (!together(h[i]!.groups, a, b)) return false;
    }
    return true;
  }

  private get current(): Config {
    return this.history[this.history.length - 1]!;
  }

  private push(groups: ReadonlyMap<PeerId, number> | undefined): void {
    this.history.push({ serial: this.serial + 1, groups });
    if (this.history.length > HISTORY) this.history = this.history.slice(-HISTORY);
  }
}

function together(groups: ReadonlyMap<PeerId, number> | undefined, a: PeerId, b: PeerId): boolean {
  return !groups || (groups.get(a) ?? REST) === (groups.get(b) ?? REST);
}
