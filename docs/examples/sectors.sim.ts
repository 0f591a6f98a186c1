import { schema, t } from '@colyseus/schema';
import { Room, spatial } from '@anarchy/sdk';
import { SeededRng, SimNetwork } from '@anarchy/sdk/testing';

// World units are yours (metres, pixels). A scale-0 sector is SECTOR_SIZE wide, scale s is 2^s times that.
const SECTOR_SIZE = 64;
const GAME_SCALE = 3; // 512-unit sectors carry the game state

const home = spatial.fromPoint(700, 100, GAME_SCALE, SECTOR_SIZE);
console.log(spatial.key(home), spatial.bounds(home, SECTOR_SIZE)); // → s3:1,0 { minX: 512, minY: 0, maxX: 1024, maxY: 512 }
console.log(spatial.key(spatial.parent(home)!), spatial.children(home).map(spatial.key).join(' ')); // → s4:0,0 s2:2,0 s2:3,0 s2:2,1 s2:3,1
console.log(spatial.neighbours(home).length); // → 8

// Interest: the sectors a 1280×720 view needs at the game scale, plus a ring around it.
const view = { minX: 0, minY: 0, maxX: 1280, maxY: 720 };
const interest = new spatial.InterestSet(spatial.interestFromRect(view, GAME_SCALE, SECTOR_SIZE));
const moved = interest.replace(spatial.interestFromRect({ minX: 600, minY: 0, maxX: 1880, maxY: 720 }, GAME_SCALE, SECTOR_SIZE));
console.log(interest.values().length, moved.entered.map(spatial.key).join(' '), '|', moved.left.map(spatial.key).join(' ')); // → 20 s3:4,-1 s3:4,0 s3:4,1 s3:4,2 | s3:-1,-1 s3:-1,0 s3:-1,1 s3:-1,2

// One shard per sector: its id is the sector's key, so every peer derives the same czar for it.
const Sector = schema({ units: t.map('string') }, 'Sector');
const net = new SimNetwork({ seed: 8 });
const rng = new SeededRng(8);
const rooms = ['a', 'b', 'c'].map((id) => Room.create({ transport: net.join(id), clock: net.clock, rng: rng.fork() }));
const sectors = spatial.interestFromRect({ minX: 0, minY: 0, maxX: 1023, maxY: 1023 }, GAME_SCALE, SECTOR_SIZE);
for (const room of rooms) for (const s of sectors) room.declareShard(spatial.shardForSector(s), Sector);
net.run(2_000);
const load = new Map<string, number>();
for (const s of sectors) {
  const czar = rooms[0]!.czarOf(spatial.shardForSector(s))!;
  load.set(czar, (load.get(czar) ?? 0) + 1);
}
console.log(sectors.length, [...load.entries()].sort().map(([p, n]) => `${p}:${n}`).join(' ')); // → 16 a:4 b:4 c:8

// Units cross sectors: a hand-off tells the old sector's czar to pass the unit to the new one's.
const activity = new spatial.SectorActivity<number>({ sectorSize: SECTOR_SIZE, scale: GAME_SCALE });
activity.place(1, { x: 500, y: 10 });
const handOff = activity.move(1, { x: 500, y: 10 }, { x: 520, y: 10 });
console.log(handOff && `${handOff.unit}: ${spatial.key(handOff.from)} → ${spatial.key(handOff.to)}`); // → 1: s3:0,0 → s3:1,0
