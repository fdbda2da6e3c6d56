// What builders set on objects: attributes, flags, locks, ownership, visibility.
import { cleanValue, roleAtLeast } from '@loom/world';
import { formatLock, isLockAttribute, lockAttribute, lockTypes, parseLock, resolveLock, type LockKey, type LockType } from '../locks.ts';
import { matchObject, whichOne } from '../match.ts';
import type { WorldObj } from '../model.ts';
import { attributeNamePattern, isWorldKept } from '../permissions.ts';
import type { Command, CommandContext } from './command.ts';
import { splitAssignment } from './command.ts';
import { findModifiable, findTarget, ref } from './build-targets.ts';
import { findOne, nearby } from './resolve.ts';

const flagName = /^[a-z_][a-z0-9_]{0,19}$/;
/** Flags the world itself keeps: set only by admins, or by commands. */
const systemFlags = new Set(['start', 'destroyed']);
/** Attributes the world reads for its own purposes, set through their own commands. */
const maxAttributeBytes = 16 * 1024;

/** Attributes that shape a room's physics for 3D players (see space.ts). */
const spatial = new Set(['size', 'spawn', 'position', 'doorway']);

/** Rebuilds the physics of the room around the object, if 3D players are in it. */
function layoutChanged(context: CommandContext, target: WorldObj): void {
  const room = context.game.roomAround(target) ?? context.game.world.get(target.locationId);
  if (room) context.game.onRoomLayoutChanged?.(room);
}

/** A value typed after `=`: JSON when it parses (numbers, true, [1,2], {"a":1}), text otherwise. */
function parseValue(text: string): unknown {
  try {
    return cleanValue(JSON.parse(text)); // "\u0000" and "\ud800" are valid JSON
  } catch {
    return text;
  }
}

const set: Command = {
  name: '@set',
  aliases: [],
  group: 'building',
  role: 'player',
  syntax: ['@set <object>/<attribute>=<value>', '@set <object>/<attribute>=', '@set <object>=<flag>', '@set <object>=!<flag>', '@set me=nospoof'],
  help:
    'Sets an attribute (a number, true/false, JSON, or text; nothing after = removes it) or a flag (public, dark, fixed, ...) on something you own (builders). ' +
    'Players set one flag, on themselves: "@set me=nospoof" marks every line a script says to them with the name of its object ("=!nospoof" clears it). ' +
    'Space for 3D players: "@set here/size=[30,5,20]" (width, height, depth in m), "@set here/spawn=[0,0,5]", "@set lamp/position=[2,0,-3]", ' +
    '"@set north/doorway={"wall":"north","offset":4}".',
  run(context) {
    const { game } = context;
    // Attributes and other flags are a builder's; a player's own could pass attribute locks (attr:level>=3).
    if (!roleAtLeast(context.session.role, 'builder') && !/^me\s*=\s*!?\s*nospoof$/i.test(context.args.trim())) {
      return context.reply('Only builders may use @set; players may type "@set me=nospoof" (or "=!nospoof").');
    }
    const parts = splitAssignment(context.args);
    if (!parts) return context.reply('Type "@set <object>/<attribute>=<value>" or "@set <object>=<flag>".');
    const [left, value] = parts;
    const slash = left.lastIndexOf('/');
    const target = findModifiable(context, slash < 0 ? left : left.slice(0, slash));
    if (!target) return;
    if (slash >= 0) {
      const name = left.slice(slash + 1).trim();
      if (!attributeNamePattern.test(name)) return context.reply('An attribute name has up to 64 letters, digits, _ . or -.');
      if (isWorldKept(target, name)) {
        return context.reply(`${name} is kept by the world itself.`);
      }
      if (isLockAttribute(name)) return context.reply('Locks are set with @lock, which checks the key and names its objects by id.');
      if (Buffer.byteLength(value) > maxAttributeBytes) return context.reply(`A value has at most ${maxAttributeBytes} bytes.`);
      if (value === '') delete target.attributes[name];
      else target.attributes[name] = parseValue(value);
      game.world.touch(target);
      if (spatial.has(name.toLowerCase())) layoutChanged(context, target);
      return context.reply(value === '' ? `Removed ${name} from ${ref(target)}.` : `Set ${name} of ${ref(target)} to ${JSON.stringify(target.attributes[name])}.`);
    }
    const clear = value.startsWith('!');
    const flag = (clear ? value.slice(1) : value).trim().toLowerCase();
    if (!flagName.test(flag)) return context.reply('A flag is a short lowercase word: public, dark, fixed, ...');
    if (systemFlags.has(flag) && !roleAtLeast(context.session.role, 'admin')) return context.reply(`Only admins set the ${flag} flag.`);
    if (clear) target.flags.delete(flag);
    else target.flags.add(flag);
    game.world.touch(target);
    if (flag === 'physical' || flag === 'fixed') layoutChanged(context, target);
    context.reply(`${ref(target)} is ${clear ? 'no longer' : 'now'} ${flag}.`);
  },
};

/** `@lock/use`: the lock type a command's switch names (none: the basic lock). */
function lockTypeOf(context: CommandContext): LockType | undefined {
  const named = context.switches[0] ?? 'basic';
  const type = lockTypes.find((t) => t === (named === 'take' ? 'get' : named));
  if (!type) context.reply(`There is no ${named} lock; the kinds are ${lockTypes.filter((t) => t !== 'basic').join(', ')}.`);
  return type;
}

/** A name in a key, as the builder means it: something they hold or see, or of theirs; a player anywhere. */
function keyObject(context: CommandContext, kind: 'has' | 'is', name: string): WorldObj {
  const { game, actor } = context;
  const candidates =
    kind === 'is'
      ? [...game.world.all()].filter((o) => o.kind === 'player')
      : [...nearby(context).filter((o) => o.kind === 'thing'), ...[...game.world.all()].filter((o) => o.kind === 'thing' && o.ownerId === actor.id && !o.flags.has('destroyed'))];
  const match = matchObject(name, candidates);
  if ('found' in match) return match.found;
  if ('ambiguous' in match) throw new Error(`"${name}" could be several: ${whichOne(match.ambiguous)} Name it by #id`);
  throw new Error(kind === 'is' ? `there is no player called "${name}"` : `there is no ${name} you carry, see here or own; name it by #id`);
}

/** The key typed, parsed and its names made ids; undefined, and the actor told why, when it does not work. */
export function typedKey(context: CommandContext, text: string): LockKey | undefined {
  try {
    return resolveLock(parseLock(text), (term, name) => keyObject(context, term, name));
  } catch (error) {
    context.reply(`That key does not work: ${(error as Error).message}.`);
    return undefined;
  }
}

const lock: Command = {
  name: '@lock',
  aliases: [],
  group: 'building',
  role: 'builder',
  syntax: [
    '@lock[/<kind>] <object>=<key>',
    '@lock[/<kind>] <object>',
    'kinds: use enter get drop give speech (none: the basic lock, which also stands for use, enter and get)',
    'keys: has:<item>  is:<player>  role:<builder|admin>  attr:<name><op><value>  @#<object>[/<kind>], joined with & | ! ( )',
  ],
  help:
    'Locks an exit (who may pass), a thing (who may take, use, drop or give it), a room (who may enter, drop things or speak there). ' +
    '"@lock door=has:brass key | role:admin". A name in a key is looked up once, now, and kept as its #id, so a look-alike opens nothing. ' +
    '"attr:level>=3" tests an attribute of the one trying; "@#12" passes whoever passes #12\'s basic lock, "@#12/use" its use lock. The attribute lock_fail is what the refused read.',
  run(context) {
    const type = lockTypeOf(context);
    if (!type) return;
    const parts = splitAssignment(context.args);
    const target = findModifiable(context, parts ? parts[0] : context.args);
    if (!target) return;
    const attribute = lockAttribute(type);
    const label = (id: number) => context.game.world.get(id)?.name;
    const kind = type === 'basic' ? '' : ` (${type})`;
    if (!parts) {
      const text = target.attributes[attribute];
      if (typeof text !== 'string' || !text) return context.reply(`${ref(target)} is not locked${kind}.`);
      return context.reply(`${ref(target)} is locked${kind}: ${formatLock(parseLock(text), label)}`);
    }
    const key = typedKey(context, parts[1]);
    if (!key) return;
    target.attributes[attribute] = formatLock(key);
    context.game.world.touch(target);
    context.reply(`Locked ${ref(target)}${kind}: ${formatLock(key, label)}`);
  },
};

const unlock: Command = {
  name: '@unlock',
  aliases: [],
  group: 'building',
  role: 'builder',
  syntax: ['@unlock[/<kind>] <object>'],
  help: 'Removes a lock of something you own (the basic lock, or the kind named: use, enter, get, drop, give, speech).',
  run(context) {
    const type = lockTypeOf(context);
    if (!type) return;
    const target = findModifiable(context, context.args);
    if (!target) return;
    delete target.attributes[lockAttribute(type)];
    context.game.world.touch(target);
    context.reply(`Unlocked ${ref(target)}${type === 'basic' ? '' : ` (${type})`}.`);
  },
};

/**
 * A new owner's scripts must not run as if the old owner had agreed to them, nor the old owner's as the
 * new owner's: the object is halted (as TinyMUX and PennMUSH set HALT) and its timers cleared.
 */
function transfer(context: CommandContext, target: WorldObj, owner: WorldObj): void {
  const { game } = context;
  target.ownerId = owner.id;
  delete target.attributes.chown_offer;
  target.flags.add('halted');
  game.components.remove(target, 'timers');
  game.world.touch(target);
  const halted = `Its scripts are halted until its owner types "@set #${target.id}=!halted".`;
  context.reply(`${ref(target)} now belongs to ${owner.name}. ${halted}`);
  if (owner.id !== context.actor.id) game.tell(owner, `${game.nameOf(context.actor)} gave you ${target.name} (#${target.id}). ${halted}`);
}

const chown: Command = {
  name: '@chown',
  aliases: [],
  group: 'building',
  role: 'builder',
  syntax: ['@chown <object>=<player>', '@chown <object>=me'],
  help:
    'Offers something you own to another builder, who takes it with "@chown <object>=me" (admins give at once). ' +
    'A given object is halted: its scripts do not run until its new owner clears the flag ("@set <object>=!halted").',
  run(context) {
    const { game } = context;
    const parts = splitAssignment(context.args);
    if (!parts) return context.reply('Type "@chown <object>=<player>".');
    if (parts[1].trim().toLowerCase() === 'me') {
      const offered = findTarget(context, parts[0]);
      if (!offered) return;
      if (offered.attributes.chown_offer !== context.actor.id) return context.reply(`Nobody has offered you ${ref(offered)}.`);
      const over = game.overQuota(context.actor);
      if (over) return context.reply(`${over}.`);
      return transfer(context, offered, context.actor);
    }
    const target = findModifiable(context, parts[0]);
    if (!target) return;
    if (target.kind === 'player') return context.reply('Characters own themselves.');
    const players = [...game.world.all()].filter((o) => o.kind === 'player');
    const owner = findOne(context, parts[1], players, `There is no character called "${parts[1]}".`);
    if (!owner) return;
    if (roleAtLeast(context.session.role, 'admin') || owner.id === context.actor.id) return transfer(context, target, owner);
    target.attributes.chown_offer = owner.id;
    game.world.touch(target);
    context.reply(`You offer ${ref(target)} to ${owner.name}; it is theirs once they type "@chown #${target.id}=me".`);
    game.tell(owner, `${game.nameOf(context.actor)} offers you ${target.name} (#${target.id}). Type "@chown #${target.id}=me" to take it.`);
  },
};

const chmod: Command = {
  name: '@chmod',
  aliases: [],
  group: 'building',
  role: 'builder',
  syntax: ['@chmod <object>=public', '@chmod <object>=private'],
  help: 'Public objects can be examined by anyone, and public rooms linked to by any builder.',
  run(context) {
    const parts = splitAssignment(context.args);
    const mode = parts?.[1].toLowerCase();
    if (!parts || (mode !== 'public' && mode !== 'private')) return context.reply('Type "@chmod <object>=public" or "=private".');
    const target = findModifiable(context, parts[0]);
    if (!target) return;
    if (mode === 'public') target.flags.add('public');
    else target.flags.delete('public');
    context.game.world.touch(target);
    context.reply(`${ref(target)} is now ${mode}.`);
  },
};

const find: Command = {
  name: '@find',
  aliases: [],
  group: 'building',
  role: 'builder',
  syntax: ['@find <name>', '@find'],
  help: 'Lists what you own whose name contains the text (admins: everything).',
  run(context) {
    const { game, actor } = context;
    const all = roleAtLeast(context.session.role, 'admin');
    const text = context.args.trim().toLowerCase();
    const found = [...game.world.all()]
      .filter((o) => (all || o.ownerId === actor.id) && !o.flags.has('destroyed') && o.name.toLowerCase().includes(text))
      .slice(0, 51);
    if (!found.length) return context.reply('Nothing found.');
    const lines = found.slice(0, 50).map((o) => `  ${ref(o).padEnd(40)} ${o.kind}${o.kind === 'exit' ? ` -> #${o.destinationId}` : ''}`);
    if (found.length > 50) lines.push('  ... and more: narrow the search.');
    context.reply(lines.join('\n'));
  },
};

export const propertyCommands: Command[] = [set, lock, unlock, chown, chmod, find];
