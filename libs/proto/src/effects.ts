// The kinds of effect a script may ask for are the members of Effect's oneof (script.proto): these
// types key the sandbox's API and world-state's appliers by them.
import type { Effect } from './gen/loom/v1/script.js';

export type EffectKind = keyof Effect;

/** The arguments of one kind of effect. */
export type EffectOf<K extends EffectKind> = NonNullable<Effect[K]>;

/** Which kind an effect is: the one member of the oneof that is set. */
export function effectKind(effect: Effect): EffectKind | undefined {
  for (const kind in effect) if (effect[kind as EffectKind] !== undefined) return kind as EffectKind;
  return undefined;
}
