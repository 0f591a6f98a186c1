import { describe, expect, it } from 'vitest';
import { RoomRegistry } from './rooms.js';
import { ManualClock } from './test-support.js';

function setup(ttlMs = 1_000) {
  const clock = new ManualClock();
  let next = 0;
  const registry = new RoomRegistry({ clock, ttlMs, generateId: () => `room${++next}` });
  return { clock, registry };
}

describe('RoomRegistry', () => {
  it('creates rooms with the generated id and lists peers in join order', () => {
    const { registry } = setup();
    const room = registry.create(4);
    expect(room).toEqual({ roomId: 'room1', maxPeers: 4, peers: [] });
    registry.join('room1', 'bob');
    registry.join('room1', 'alice');
    expect(registry.get('room1')?.peers).toEqual(['bob', 'alice']);
  });

  it('treats a repeated join as success without counting it twice', () => {
    const { registry } = setup();
    registry.create(2);
    expect(registry.join('room1', 'a')).toMatchObject({ ok: true, joined: true });
    expect(registry.join('room1', 'a')).toMatchObject({ ok: true, joined: false, room: { peers: ['a'] } });
    expect(registry.stats().joins).toBe(1);
  });

  it('refuses a join over maxPeers but still accepts a member re-joining a full room', () => {
    const { registry } = setup();
    registry.create(2);
    registry.join('room1', 'a');
    registry.join('room1', 'b');
    expect(registry.join('room1', 'c')).toEqual({ ok: false, reason: 'room-full' });
    expect(registry.join('room1', 'a')).toMatchObject({ ok: true, joined: false });
  });

  it('reports unknown rooms', () => {
    const { registry } = setup();
    expect(registry.get('nope')).toBeUndefined();
    expect(registry.join('nope', 'a')).toEqual({ ok: false, reason: 'room-not-found' });
    expect(registry.leave('nope', 'a')).toBe('room-not-found');
  });

  it('leaves one room, and distinguishes a non-member', () => {
    const { registry } = setup();
    registry.create(4);
    registry.join('room1', 'a');
    registry.join('room1', 'b');
    expect(registry.leave('room1', 'a')).toBe('left');
    expect(registry.leave('room1', 'a')).toBe('not-member');
    expect(registry.get('room1')?.peers).toEqual(['b']);
  });

  it('removes a peer from every room it is in', () => {
    const { registry } = setup();
    registry.create(4);
    registry.create(4);
    registry.join('room1', 'a');
    registry.join('room2', 'a');
    registry.join('room2', 'b');
    expect(registry.removePeer('a').sort()).toEqual(['room1', 'room2']);
    expect(registry.get('room1')?.peers).toEqual([]);
    expect(registry.get('room2')?.peers).toEqual(['b']);
    expect(registry.removePeer('a')).toEqual([]);
    expect(registry.stats()).toMatchObject({ peers: 1, leaves: 2 });
  });

  it('expires a room never joined after ttlMs, not before', () => {
    const { clock, registry } = setup(1_000);
    registry.create(4);
    clock.advance(999);
    expect(registry.get('room1')).toBeDefined();
    clock.advance(1);
    expect(registry.get('room1')).toBeUndefined();
    expect(registry.stats()).toMatchObject({ rooms: 0, roomsCreated: 1, roomsExpired: 1 });
  });

  it('never expires an occupied room, and restarts the countdown when it empties', () => {
    const { clock, registry } = setup(1_000);
    registry.create(4);
    clock.advance(500);
    registry.join('room1', 'a');
    clock.advance(10_000);
    expect(registry.get('room1')?.peers).toEqual(['a']);
    registry.leave('room1', 'a');
    clock.advance(999);
    expect(registry.get('room1')).toBeDefined();
    clock.advance(1);
    expect(registry.get('room1')).toBeUndefined();
  });

  it('expires rooms in the order they emptied, keeping the younger ones', () => {
    const { clock, registry } = setup(1_000);
    registry.create(4); // room1 empty since 0
    registry.join('room1', 'a');
    clock.advance(100);
    registry.create(4); // room2 empty since 100
    clock.advance(100);
    registry.leave('room1', 'a'); // room1 empty since 200
    clock.advance(900); // t = 1100
    expect(registry.expire()).toEqual(['room2']);
    expect(registry.get('room1')).toBeDefined();
    clock.advance(100);
    expect(registry.expire()).toEqual(['room1']);
  });

  it('retries an id already in use and gives up on a generator stuck on one id', () => {
    const clock = new ManualClock();
    const ids = ['x', 'x', 'y'];
    const registry = new RoomRegistry({ clock, ttlMs: 1_000, generateId: () => ids.shift() ?? 'x' });
    expect(registry.create(2).roomId).toBe('x');
    expect(registry.create(2).roomId).toBe('y');
    expect(() => registry.create(2)).toThrow(/in use/);
  });
});
