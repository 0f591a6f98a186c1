import { describe, expect, it } from 'vitest';
import { panelInsets } from './game-screen.js';

describe('panelInsets', () => {
  it('reserves the side columns on a wide window', () => {
    // 1200×750: a 38 px top bar, a 28 px help line, 240 px columns with 10 px either side.
    expect(panelInsets(38, 722, 1200, 750, 240)).toEqual({ top: 38, bottom: 28, left: 260, right: 260 });
  });

  it('lets the panels float over the galaxy when the columns would squeeze it', () => {
    // 800 px across leaves 280 px between the columns for a 684 px tall galaxy: too narrow.
    expect(panelInsets(60, 722, 800, 750, 240)).toEqual({ top: 60, bottom: 28, left: 0, right: 0 });
  });
});
