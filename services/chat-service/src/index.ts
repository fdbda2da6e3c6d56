import { defineService } from '@loom/runtime';
import { ChatCore } from './core/chat.ts';

export { ChatCore, chatTopic } from './core/chat.ts';

export const service = defineService({
  name: 'chat-service',
  dependsOn: ['persistence-service'],
  async start({ directory, bus }) {
    return { implementation: new ChatCore(directory.connect('persistence-service'), bus), stop: async () => {} };
  },
});
