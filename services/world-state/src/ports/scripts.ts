// Scripts stored through persistence-service: every save a new version.
import type { Script } from '@loom/proto';
import type { ServiceClient } from '@loom/runtime';
import type { ScriptsPort, ScriptVersion } from '../core/game.ts';

const view = (s: Script): ScriptVersion => ({
  event: s.event,
  version: s.version,
  source: s.source,
  authorId: s.authorId,
  createdAtMs: s.createdAtMs,
  deleted: s.deleted,
});

export function scriptsPort(persistence: ServiceClient<'persistence-service'>): ScriptsPort {
  return {
    async events(objectId) {
      const { scripts } = await persistence.listScriptVersions({ objectId, event: '' });
      const newest = new Map<string, Script>();
      for (const script of scripts) newest.set(script.event, script);
      return [...newest.values()].filter((s) => !s.deleted).map(view);
    },
    async get(objectId, event, version = 0) {
      return view(await persistence.getScript({ objectId, event, version }));
    },
    async history(objectId, event) {
      return (await persistence.listScriptVersions({ objectId, event })).scripts.map(view);
    },
    async save(objectId, event, source, authorId, deleted = false) {
      return view(await persistence.saveScript({ objectId, event, source, authorId, deleted, version: 0, createdAtMs: 0 }));
    },
  };
}
