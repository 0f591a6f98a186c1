/**
 * The sending side of actions ([R20], [R24]): what happens to an action a czar applied when the
 * term it was applied in is replaced.
 */
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../errors.js';
import { asPeerId, type PeerId } from '../transport/types.js';
import { VirtualClock } from '../util/clock.js';
import type { MessageOf } from '../wire/messages.js';
import { ACTION_APPLIED, ACTION_ROLLED_BACK, ACTION_TERM_BASE, ActionSender, type LostAction } from './actions.js';
import { encodeJson } from './json.js';

const czar = asPeerId('c');
const next = asPeerId('n');

function sender(): { s: ActionSender; sent: Array<MessageOf<'action'>>; lost: LostAction[]; held: { seq: number }; clock: VirtualClock } {
  const clock = new VirtualClock();
  const sent: Array<MessageOf<'action'>> = [];
  const lost: LostAction[] = [];
  const held = { seq: 0 };
  const s = new ActionSender({
    clock,
    retryMs: 50,
    target: () => czar,
    writes: () => false,
    applyLocal: () => undefined,
    rolledBack: (l) => lost.push(l),
    send: (_to: PeerId, m) => sent.push(m),
    flush: () => undefined,
    holds: (_shard, term, c, seq) => term === 3 && c === czar && held.seq >= seq,
  });
  return { s, sent, lost, held, clock };
}

const applied = (actionId: number, seq: number): MessageOf<'action-result'> => ({ type: 'action-result', shard: 'x', actionId, status: ACTION_APPLIED, term: 3, seq, payload: encodeJson(1) });
const base = (term: number, c: string, seq: number, by = 4): MessageOf<'action-result'> => ({
  type: 'action-result',
  shard: 'x',
  actionId: 0,
  status: ACTION_TERM_BASE,
  term,
  seq,
  payload: encodeJson({ czar: c, by }),
});

describe('ActionSender: applied actions and the terms that replace theirs', () => {
  it('[R24] an action act() already resolved is reported through rolledBack, with the action, when a new term starts before its seq', async () => {
    const { s, sent, lost, held } = sender();
    const done = s.send('x', encodeJson({ hello: 'p1' }), 5_000);
    const id = sent[0]!.actionId;
    s.onResult(czar, applied(id, 7));
    held.seq = 7;
    s.check('x');
    await expect(done).resolves.toBe(1);
    s.onResult(next, base(3, 'c', 6));
    expect(lost).toHaveLength(1);
    expect(lost[0]).toMatchObject({ shard: 'x', actionId: id, term: 3, czar: 'c', seq: 7, by: { term: 4, czar: 'n' } });
    // The old czar's own report of the same loss is not a second event.
    s.onResult(czar, { ...applied(id, 7), status: ACTION_ROLLED_BACK, payload: new Uint8Array(0) });
    expect(lost).toHaveLength(1);
  });

  it('[R24] an action in the new term’s base survived: nothing is reported', async () => {
    const { s, sent, lost, held } = sender();
    const done = s.send('x', encodeJson({ n: 1 }), 5_000);
    s.onResult(czar, applied(sent[0]!.actionId, 5));
    held.seq = 5;
    s.check('x');
    await done;
    s.onResult(next, base(3, 'c', 5));
    s.onResult(next, base(4, 'n', 9, 5));
    expect(lost).toEqual([]);
  });

  it('[R24] a confirmed action still waiting for the replica fails with rolled-back when the base is before it, and resolves when the base holds it', async () => {
    const { s, sent } = sender();
    const lostOne = s.send('x', encodeJson({ n: 1 }), 5_000);
    const keptOne = s.send('x', encodeJson({ n: 2 }), 5_000);
    s.onResult(czar, applied(sent[0]!.actionId, 8));
    s.onResult(czar, applied(sent[1]!.actionId, 6));
    s.onResult(next, base(3, 'c', 7));
    await expect(lostOne).rejects.toMatchObject({ code: ErrorCode.RolledBack });
    await expect(keptOne).resolves.toBe(1);
  });

  it('[R24] a term started afresh (no base) loses every applied action of the shard', async () => {
    const { s, sent, lost, held } = sender();
    const done = s.send('x', encodeJson({ n: 1 }), 5_000);
    s.onResult(czar, applied(sent[0]!.actionId, 2));
    held.seq = 2;
    s.check('x');
    await done;
    s.onResult(next, base(0, '', 0));
    expect(lost.map((l) => l.seq)).toEqual([2]);
  });

  it('[R24] a czar that reports a confirmed, not yet visible action as rolled back fails it (it is not resolved by a newer term)', async () => {
    const { s, sent } = sender();
    const done = s.send('x', encodeJson({ n: 1 }), 5_000);
    const id = sent[0]!.actionId;
    s.onResult(czar, applied(id, 4));
    s.onResult(czar, { ...applied(id, 4), status: ACTION_ROLLED_BACK, payload: new Uint8Array(0) });
    await expect(done).rejects.toMatchObject({ code: ErrorCode.RolledBack });
  });

  it('ignores a base note whose payload is not what it should be', () => {
    const { s } = sender();
    expect(() => s.onResult(next, { ...base(3, 'c', 1), payload: new Uint8Array([0xff]) })).not.toThrow();
    expect(() => s.onResult(next, { ...base(3, 'c', 1), payload: encodeJson({ czar: 5 }) })).not.toThrow();
  });
});
