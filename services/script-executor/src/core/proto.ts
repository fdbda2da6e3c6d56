// Between the gRPC contract (loom.v1.RunRequest/RunResult) and the sandbox's own JSON types.
// The world sends `self` as a WorldObject and the rest of the view in `event` (actor, room, item,
// from, to, text, players), each object already shaped as an ObjView.
import type { RunRequest, RunResult, WorldObject } from '@loom/proto';
import type { EventView, ObjView, SandboxInput, SandboxResult } from './view.ts';

function selfView(o: WorldObject | undefined): ObjView {
  if (!o) return { id: 0, name: '', kind: 'thing', attributes: {} };
  return { id: o.id, name: o.name, kind: o.kind, attributes: (o.attributes ?? {}) as ObjView['attributes'] };
}

export function fromRunRequest(req: RunRequest): SandboxInput {
  const event = (req.event ?? {}) as Omit<EventView, 'self'>;
  const l = req.limits;
  return {
    source: req.source,
    eventName: req.eventName,
    view: { ...event, self: selfView(req.self) },
    // Zero means "unset" in proto3; resolveLimits turns it into the default.
    limits: l && {
      cpuMs: l.cpuMs,
      memoryBytes: l.memoryMb * 1024 * 1024,
      maxEffects: l.maxEffects,
      maxOutputBytes: l.maxOutputBytes,
    },
  };
}

export function toRunResult(r: SandboxResult): RunResult {
  const where = r.line ? ` (line ${r.line}${r.column ? `, column ${r.column}` : ''})` : '';
  return {
    effects: r.effects.map((e) => ({ kind: e.kind, args: e.args })),
    error: r.error ? r.error + where : '',
    errorKind: r.errorKind ?? '',
    cpuMs: r.cpuMs,
  };
}
