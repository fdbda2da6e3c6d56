// Copies of objects for scripts: JSON only, so nothing a script does reaches the world's own objects.
import type { Game } from '../game.ts';
import type { WorldObj } from '../model.ts';
import { isHiddenFromScripts } from '../permissions.ts';
import type { ObjView, ScriptView } from '@loom/world';

export function objView(game: Game, object: WorldObj, withContents = false): ObjView {
  const attributes: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(object.attributes)) if (!isHiddenFromScripts(name)) attributes[name] = structuredClone(value);
  const view: ObjView = { id: object.id, name: object.name, kind: object.kind, attributes };
  if (withContents) view.contents = game.world.contentsOf(object.id).map((c) => ({ id: c.id, name: c.name, kind: c.kind }));
  return view;
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
  const view: ScriptView = { self: objView(game, self, true) };
  if (room) {
    view.room = objView(game, room, true);
    view.players = game.playersIn(room.id).map((p) => objView(game, p, true));
  }
  if (context.actor) view.actor = objView(game, context.actor, true);
  if (context.item) view.item = objView(game, context.item);
  if (context.from) view.from = objView(game, context.from);
  if (context.to) view.to = objView(game, context.to);
  if (context.text !== undefined) view.text = context.text;
  if (context.channel !== undefined) view.channel = context.channel;
  if (context.args !== undefined) view.args = structuredClone(context.args);
  if (context.caller) view.caller = objView(game, context.caller);
  return view;
}
