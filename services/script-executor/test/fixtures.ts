// A small world snapshot shared by the sandbox and pool tests.
import type { EventView, SandboxInput } from '../src/core/view.ts';

export function view(): EventView {
  const ann = { id: 2, name: 'Ann', kind: 'player', attributes: { hp: 10 }, contents: [{ id: 9, name: 'Brass Lamp', kind: 'thing' }] };
  return {
    self: { id: 7, name: 'Polly', kind: 'thing', attributes: { visits: 1 } },
    actor: ann,
    room: { id: 1, name: 'Hall', kind: 'room', attributes: {} },
    text: 'hello',
    players: [structuredClone(ann), { id: 3, name: 'Bob', kind: 'player', attributes: {} }],
  };
}

/** A run with a CPU limit no busy test machine reaches; tests of the deadline set their own. */
export function input(source: string, extra: Partial<SandboxInput> = {}): SandboxInput {
  return { source, eventName: 'on_say', view: view(), seed: 42, now: 1_700_000_000_000, limits: { cpuMs: 5_000 }, ...extra };
}
