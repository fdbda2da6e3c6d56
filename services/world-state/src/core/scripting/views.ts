// Copies of objects for scripts (script.proto's ScriptView): attributes as JSON text, so nothing a script does reaches the world's own objects.
import type { ObjectView, ScriptView } from '@loom/proto';
import type { Game } from '../game.ts';
import type { WorldObj } from '../model.ts';
import { isHiddenFromScripts } from '../permissions.ts';

export function objView(game: Game, object: WorldObj, withContents = false): ObjectView {
  const attributes: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(object.attributes)) if (!isHiddenFromScripts(name)) attributes[name] = value;
  const contents = withContents ? game.world.contentsOf(object.id).map((c) => ({ id: c.id, name: c.name, kind: c.kind })) : [];
  return { id: object.id, name: object.name, kind: object.kind, attributesJson: JSON.stringify(attributes), contents };
}

export interface EventContext {
  actor?: WorldObj;
  item?: WorldObj;
  from?: WorldObj;
  to?: WorldObj;
  text?: string;
  channel?: string;
  args?: unknown;
  caller?: WorldObj;
  /** How many call()s led here. */
  depth?: number;
}

export function scriptView(game: Game, self: WorldObj, context: EventContext): ScriptView {
  const room = game.roomAround(self);
  const view = (object: WorldObj | undefined, withContents = false) => object && objView(game, object, withContents);
  return {
    self: objView(game, self, true),
    room: view(room, true),
    players: room ? game.playersIn(room.id).map((p) => objView(game, p, true)) : [],
    actor: view(context.actor, true),
    item: view(context.item),
    from: view(context.from),
    to: view(context.to),
    text: context.text,
    channel: context.channel,
    argsJson: context.args === undefined ? '' : JSON.stringify(context.args),
    caller: view(context.caller),
  };
}
