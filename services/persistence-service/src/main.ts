// Runs this service alone, configured by the environment (see the README's configuration table).
import { runStandalone } from '@loom/runtime';
import { service } from './index.ts';

await runStandalone(service);
