// The world a fresh server opens with: a small town to walk around, with things to pick up.
import type { WorldObj } from './model.ts';
import type { World } from './world.ts';

interface RoomSpec {
  key: string;
  name: string;
  description: string;
  environment: string;
  things?: Array<{ name: string; aliases?: string[]; description: string; fixed?: boolean }>;
}

const rooms: RoomSpec[] = [
  {
    key: 'square',
    name: 'The Loom Square',
    environment: 'outdoors',
    description:
      'Cobbles worn smooth by many feet spread out around a stone fountain, where water spills from the ' +
      'mouth of a carved heron. Lanterns hang from iron hooks on the houses. A lane runs north between the ' +
      'weavers\' shops, warm light spills from an inn to the east, a garden path leads south towards the ' +
      'river, and the tall doors of the old library stand to the west.',
    things: [
      { name: 'stone fountain', aliases: ['fountain'], description: 'A heron carved in grey stone pours a thin bright stream into the basin. Coins glint at the bottom.', fixed: true },
      { name: 'notice board', aliases: ['board', 'notice'], description: 'Welcome, traveller! Type "help" for the commands, "who" to see who is here, and "+public hello" to greet the whole world.', fixed: true },
    ],
  },
  {
    key: 'lane',
    name: "Weavers' Lane",
    environment: 'outdoors',
    description:
      'A narrow lane where looms clatter behind open shutters. Bolts of dyed cloth hang drying over the ' +
      'street: madder red, woad blue, weld yellow. The lane climbs north towards a watchtower; the square ' +
      'lies south.',
    things: [{ name: 'spool of red thread', aliases: ['spool', 'thread'], description: 'A wooden spool wound tight with thread the colour of ripe cherries.' }],
  },
  {
    key: 'tower',
    name: 'The Watchtower',
    environment: 'outdoors',
    description:
      'Wind tugs at your clothes on the top of the old watchtower. The whole town lies below: the roofs ' +
      'of the lane, the square with its fountain, the glint of the river beyond the garden. Stairs lead down.',
    things: [{ name: 'brass spyglass', aliases: ['spyglass', 'glass'], description: 'A dented brass spyglass. Through it the far hills look close enough to touch.' }],
  },
  {
    key: 'inn',
    name: 'The Copper Kettle',
    environment: 'indoors',
    description:
      'A low-beamed common room that smells of woodsmoke and spiced cider. A fire crackles in a wide ' +
      'hearth and copper kettles gleam on every shelf. The door to the square is west.',
    things: [
      { name: 'mug of cider', aliases: ['mug', 'cider'], description: 'A heavy clay mug of hot spiced cider. It smells of apples and cinnamon.' },
      { name: 'brass lantern', aliases: ['lantern'], description: 'A small brass lantern with a candle stub inside.' },
    ],
  },
  {
    key: 'garden',
    name: 'Riverside Garden',
    environment: 'outdoors',
    description:
      'Gravel paths wind between beds of lavender and rosemary down to the river, which slides past green ' +
      'and slow. Children have left their toys on the grass. Steps lead down under the bridge; the square ' +
      'is north.',
    things: [
      { name: 'red ball', aliases: ['ball'], description: 'A small leather ball, dyed red. It bounces well.' },
      { name: 'blue ball', aliases: ['ball'], description: 'A small leather ball, dyed blue, a little scuffed.' },
      { name: 'smooth river stone', aliases: ['stone'], description: 'A flat grey stone, perfect for skimming.' },
    ],
  },
  {
    key: 'bridge',
    name: 'Under the Bridge',
    environment: 'outdoors',
    description:
      'The arch of the old bridge makes a cool, echoing room over the water. Someone has chalked a map ' +
      'of the town on the stones. Steps lead back up to the garden.',
  },
  {
    key: 'library',
    name: 'The Old Library',
    environment: 'indoors',
    description:
      'Shelves rise into dimness, crammed with books bound in leather and cloth. Dust turns slowly in a ' +
      'shaft of light from a high window. A ladder leads up to a reading loft; the square is east.',
    things: [{ name: 'dusty book', aliases: ['book'], description: 'The title, in faded gold, reads "On the Building of Worlds". Many pages are blank, waiting.' }],
  },
  {
    key: 'loft',
    name: 'The Reading Loft',
    environment: 'indoors',
    description: 'A quiet loft under the roof beams with two worn armchairs and a window over the square. A ladder leads down.',
  },
];

/** [from, direction, to]: every link is made in both directions. */
const links: Array<[string, string, string]> = [
  ['square', 'north', 'lane'],
  ['lane', 'up', 'tower'],
  ['square', 'east', 'inn'],
  ['square', 'south', 'garden'],
  ['garden', 'down', 'bridge'],
  ['square', 'west', 'library'],
  ['library', 'up', 'loft'],
];

const opposite: Record<string, string> = { north: 'south', south: 'north', east: 'west', west: 'east', up: 'down', down: 'up' };
const short: Record<string, string> = { north: 'n', south: 's', east: 'e', west: 'w', up: 'u', down: 'd' };

/** Builds the starter town in an empty world; returns the room players start in (flagged `start`). */
export function buildStarterWorld(world: World, worldName: string): WorldObj {
  const byKey = new Map<string, WorldObj>();
  for (const spec of rooms) {
    const room = world.create({ name: spec.name, kind: 'room', description: spec.description, attributes: { area: worldName, environment: spec.environment } });
    byKey.set(spec.key, room);
    for (const thing of spec.things ?? []) {
      world.create({ name: thing.name, aliases: thing.aliases, kind: 'thing', locationId: room.id, description: thing.description, flags: thing.fixed ? ['fixed'] : [] });
    }
  }
  for (const [from, direction, to] of links) {
    const back = opposite[direction]!;
    world.create({ name: direction, aliases: [short[direction]!], kind: 'exit', locationId: byKey.get(from)!.id, destinationId: byKey.get(to)!.id });
    world.create({ name: back, aliases: [short[back]!], kind: 'exit', locationId: byKey.get(to)!.id, destinationId: byKey.get(from)!.id });
  }
  const start = byKey.get('square')!;
  start.flags.add('start');
  world.touch(start);
  return start;
}
