// A small world snapshot shared by the sandbox and pool tests.
import { ScriptView, type ObjectSummary, type ObjectView } from '@loom/proto';
import type { SandboxInput } from '../src/core/view.ts';

export function object(id: number, name: string, kind: string, attributes: object = {}, contents: ObjectSummary[] = []): ObjectView {
  return { id, name, kind, attributesJson: JSON.stringify(attributes), contents };
}

export function view(): ScriptView {
  const ann = () => object(2, 'Ann', 'player', { hp: 10 }, [{ id: 9, name: 'Brass Lamp', kind: 'thing' }]);
  return ScriptView.create({
    self: object(7, 'Polly', 'thing', { visits: 1 }),
    actor: ann(),
    room: object(1, 'Hall', 'room'),
    text: 'hello',
    players: [ann(), object(3, 'Bob', 'player')],
  });
}

/** A run with a CPU limit no busy test machine reaches; tests of the deadline set their own. */
export function input(source: string, extra: Partial<SandboxInput> = {}): SandboxInput {
  return { source, eventName: 'on_say', view: view(), seed: 42, now: 1_700_000_000_000, limits: { cpuMs: 5_000 }, ...extra };
}
