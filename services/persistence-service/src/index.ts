import { defineService, openSql } from '@loom/runtime';
import { migrations } from './core/migrations.ts';
import { persistenceStore } from './core/store.ts';

export { migrations } from './core/migrations.ts';
export { persistenceStore } from './core/store.ts';

export const service = defineService({
  name: 'persistence-service',
  dependsOn: [],
  async start({ config, logger }) {
    const sql = await openSql(config);
    const applied = await sql.migrate(migrations);
    if (applied.length > 0) logger.info({ versions: applied, database: sql.kind }, 'schema migrated');
    return {
      implementation: persistenceStore(sql),
      ready: () => sql.ping(),
      stop: () => sql.close(),
    };
  },
});
