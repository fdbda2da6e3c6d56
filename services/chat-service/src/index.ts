import { defineService } from '@loom/runtime';
import { ChatCore } from './core/chat.ts';
import { wordFilter } from './core/word-filter.ts';

export { ChatCore, chatTopic } from './core/chat.ts';

export const service = defineService({
  name: 'chat-service',
  dependsOn: ['persistence-service'],
  async start({ directory, bus, kv, config }) {
    const settings = { floodLines: config.chatFloodLines, floodWindowS: config.chatFloodWindowS, filter: wordFilter(config.chatWordFilter.split(',')) };
    return { implementation: new ChatCore(directory.connect('persistence-service'), bus, kv, settings), stop: async () => {} };
  },
});
