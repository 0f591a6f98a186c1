import { describe, expect, it } from 'vitest';
import { SHIP_HP } from '../game/constants.js';
import { plainSector } from '../game/model.js';
import { WorldTable } from '../game/world.js';
import { Selection } from './selection.js';

function world(): WorldTable {
  const s = plainSector();
  const put = (id: string, owner: string, x: number, y: number): void => {
    s.units.set(id, { owner, x, y, tx: x, ty: y, t0: 0, hp: SHIP_HP, hops: 0, leaving: '' });
  };
  put('a.0', 'a', 0, 0);
  put('a.1', 'a', 50, 50);
  put('b.0', 'b', 10, 10);
  const w = new WorldTable();
  w.rebuild((i) => (i === 0 ? s : undefined));
  w.update(new Float64Array(64));
  return w;
}

describe('Selection', () => {
  it('selects own ships in a box, nearest on click, all, and flags rows', () => {
    const w = world();
    const sel = new Selection();
    sel.selectBox(w, 'a', -5, -5, 20, 20, false);
    expect([...sel.ids]).toEqual(['a.0']);
    sel.selectNearest(w, 'a', 48, 48, 10, true);
    expect([...sel.ids].sort()).toEqual(['a.0', 'a.1']);
    sel.selectNearest(w, 'a', 500, 500, 10, false);
    expect(sel.ids.size).toBe(0);
    sel.selectAll(w, 'a');
    const flags = sel.flagsFor(w, 1);
    expect(flags[w.indexOf('a.0')]).toBe(1);
    expect(flags[w.indexOf('b.0')]).toBe(0);
  });
});
