import { Counter, defineService } from '@loom/runtime';
import { ChatCore } from './core/chat.ts';
import { wordFilter } from '@loom/world';

export { ChatCore } from './core/chat.ts';

export const service = defineService({
  name: 'chat-service',
  dependsOn: ['persistence-service'],
  async start({ directory, bus, kv, config, metrics }) {
    const lines = new Counter({
      registers: [metrics.registry],
      name: 'loom_chat_lines_total',
      help: 'Channel lines posted, by outcome: posted, sanctioned (muted or banned), flood, invalid, failed.',
      labelNames: ['outcome'],
    });
    const counted = (outcome: string) => lines.inc({ outcome });
    const settings = { floodLines: config.chatFloodLines, floodWindowS: config.chatFloodWindowS, filter: wordFilter(config.chatWordFilter.split(',')), counted };
    return { implementation: new ChatCore(directory.connect('persistence-service'), bus, kv, settings), stop: async () => {} };
  },
});
