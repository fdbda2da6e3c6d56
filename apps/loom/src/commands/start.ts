import { runHost, type Host, type ServiceName } from '@loom/runtime';
import { allServices, serviceModule } from '../services.ts';

/**
 * Started by `loom up` (or a test) with LOOM_STOP_WITH_PARENT=1 and a pipe for stdin: when that parent
 * dies, even by SIGKILL, the pipe closes and this process stops gracefully instead of living on as an
 * orphan that holds its ports.
 */
function stopWithParent(host: Host): void {
  if (process.env.LOOM_STOP_WITH_PARENT !== '1') return;
  process.stdin.resume();
  process.stdin.once('close', () => {
    // Nobody reads our output now, and writing it could block: stop quietly.
    host.silence();
    process.kill(process.pid, 'SIGTERM');
  });
}

export async function startAllInOne(): Promise<void> {
  stopWithParent(await runHost(await allServices(), 'all-in-one'));
}

export async function startService(name: ServiceName): Promise<void> {
  stopWithParent(await runHost([await serviceModule(name)], 'standalone'));
}
