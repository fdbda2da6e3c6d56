// MSSP: what MUD listings (and `mudlet`'s server info) show about this world.
import type { WorldStatus } from '@loom/proto';
import type { MsspVariables } from '../telnet/connection.ts';

const startedAt = Math.floor(Date.now() / 1000);

export function msspVariables(worldName: string, port: number, status: WorldStatus | undefined): MsspVariables {
  return {
    NAME: worldName,
    PLAYERS: String(status?.playersOnline ?? 0),
    UPTIME: String(startedAt),
    CODEBASE: 'Loom',
    CONTACT: '',
    CRAWL_DELAY: '-1',
    PORT: String(port),
    ROOMS: String(status?.rooms ?? 0),
    OBJECTS: String(status?.objects ?? 0),
    FAMILY: 'Custom',
    GENRE: 'None',
    GAMEPLAY: 'Social',
    STATUS: 'Alpha',
    LANGUAGE: 'English',
    ANSI: '1',
    GMCP: '1',
    MCCP: '1',
    UTF_8: '1',
    XTERM_256_COLORS: '0',
    PUEBLO: '0',
    MSP: '0',
    MXP: '0',
  };
}
