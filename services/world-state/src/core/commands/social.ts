// Socials: one verb, three points of view. "You smile at Bob." / "Alice smiles at you." / "Alice smiles at Bob."
import type { Command } from './command.ts';
import { findOne } from './resolve.ts';

interface Social {
  name: string;
  /** Alone: what you read, what the others read ($n = your name). */
  alone: [string, string];
  /** At someone: what you, they and the others read ($t = their name). */
  at: [string, string, string];
}

const socials: Social[] = [
  { name: 'smile', alone: ['You smile.', '$n smiles.'], at: ['You smile at $t.', '$n smiles at you.', '$n smiles at $t.'] },
  { name: 'wave', alone: ['You wave.', '$n waves.'], at: ['You wave to $t.', '$n waves to you.', '$n waves to $t.'] },
  { name: 'bow', alone: ['You bow gracefully.', '$n bows gracefully.'], at: ['You bow before $t.', '$n bows before you.', '$n bows before $t.'] },
  { name: 'nod', alone: ['You nod.', '$n nods.'], at: ['You nod at $t.', '$n nods at you.', '$n nods at $t.'] },
  { name: 'laugh', alone: ['You laugh.', '$n laughs.'], at: ['You laugh at $t.', '$n laughs at you.', '$n laughs at $t.'] },
  { name: 'grin', alone: ['You grin.', '$n grins.'], at: ['You grin at $t.', '$n grins at you.', '$n grins at $t.'] },
  { name: 'shrug', alone: ['You shrug.', '$n shrugs.'], at: ['You shrug at $t.', '$n shrugs at you.', '$n shrugs at $t.'] },
  { name: 'sigh', alone: ['You sigh.', '$n sighs.'], at: ['You sigh at $t.', '$n sighs at you.', '$n sighs at $t.'] },
  { name: 'cheer', alone: ['You cheer!', '$n cheers!'], at: ['You cheer for $t!', '$n cheers for you!', '$n cheers for $t!'] },
  { name: 'hug', alone: ['You hug yourself.', '$n hugs themself.'], at: ['You hug $t.', '$n hugs you.', '$n hugs $t.'] },
  { name: 'thank', alone: ['You thank everyone.', '$n thanks everyone.'], at: ['You thank $t.', '$n thanks you.', '$n thanks $t.'] },
  { name: 'wink', alone: ['You wink.', '$n winks.'], at: ['You wink at $t.', '$n winks at you.', '$n winks at $t.'] },
  { name: 'frown', alone: ['You frown.', '$n frowns.'], at: ['You frown at $t.', '$n frowns at you.', '$n frowns at $t.'] },
  { name: 'applaud', alone: ['You applaud.', '$n applauds.'], at: ['You applaud $t.', '$n applauds you.', '$n applauds $t.'] },
  { name: 'dance', alone: ['You dance a little jig.', '$n dances a little jig.'], at: ['You dance with $t.', '$n dances with you.', '$n dances with $t.'] },
  { name: 'poke', alone: ['You poke the air.', '$n pokes the air.'], at: ['You poke $t.', '$n pokes you.', '$n pokes $t.'] },
];

function socialCommand(social: Social): Command {
  return {
    name: social.name,
    aliases: [],
    group: 'social',
    role: 'player',
    syntax: [social.name, `${social.name} <name>`],
    help: `${social.alone[0]} With a name: "${social.at[0].replace('$t', 'Bob')}"`,
    run(context) {
      const { game, actor, args } = context;
      const fill = (text: string, target = '') => text.replaceAll('$n', game.nameOf(actor)).replaceAll('$t', target);
      if (!args) {
        context.reply(fill(social.alone[0]));
        return game.tellRoom(actor.locationId, fill(social.alone[1]), [actor.id]);
      }
      const people = game.playersIn(actor.locationId).filter((p) => p.id !== actor.id);
      const target = findOne(context, args, people, `Nobody called "${args}" is here.`);
      if (!target) return;
      const name = game.nameOf(target);
      context.reply(fill(social.at[0], name));
      game.tell(target, fill(social.at[1], name));
      game.tellRoom(actor.locationId, fill(social.at[2], name), [actor.id, target.id]);
    },
  };
}

export const socialCommands: Command[] = socials.map(socialCommand);
