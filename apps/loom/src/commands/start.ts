import { runHost, type ServiceName } from '@loom/runtime';
import { allServices, serviceModule } from '../services.ts';

export async function startAllInOne(): Promise<void> {
  await runHost(allServices, 'all-in-one');
}

export async function startService(name: ServiceName): Promise<void> {
  await runHost([serviceModule(name)], 'standalone');
}
