// Channel posts and history: validated, stored through persistence-service, announced on the bus.
import type { ChatLine, ChatServiceImplementation, HistoryRequest, HistoryResponse, PostRequest } from '@loom/proto';
import { InvalidArgumentError, type Bus, type ServiceClient } from '@loom/runtime';

export const chatTopic = 'chat.message';
const channelPattern = /^[a-z0-9][a-z0-9_.:-]{0,63}$/i;
export const maxChatLength = 2000;

/** Control characters would let one player rewrite another's terminal; tabs become spaces. */
function clean(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\t/g, ' ').replace(/[\u0000-\u001f\u007f-\u009f]/g, '').trim();
}

export class ChatCore implements ChatServiceImplementation {
  constructor(
    private readonly persistence: ServiceClient<'persistence-service'>,
    private readonly bus: Bus,
  ) {}

  async post(request: PostRequest): Promise<ChatLine> {
    if (!channelPattern.test(request.channel)) throw new InvalidArgumentError(`"${request.channel}" is not a channel name (letters, digits, _ . : -; at most 64)`);
    const text = clean(request.text);
    if (!text) throw new InvalidArgumentError('say something: the message is empty');
    if (text.length > maxChatLength) throw new InvalidArgumentError(`the message is ${text.length} characters; at most ${maxChatLength}`);
    const { lines } = await this.persistence.appendChatLines({
      lines: [{ channel: request.channel, senderId: request.senderId, senderName: request.senderName, text, sentAtMs: Date.now() }],
    });
    const line = lines[0];
    if (!line) throw new Error('persistence-service stored no line');
    await this.bus.publish(chatTopic, line);
    return line;
  }

  async history(request: HistoryRequest): Promise<HistoryResponse> {
    if (!channelPattern.test(request.channel)) throw new InvalidArgumentError(`"${request.channel}" is not a channel name`);
    const { lines } = await this.persistence.chatHistory({ channel: request.channel, limit: request.limit, beforeId: request.beforeId });
    return { lines };
  }
}
