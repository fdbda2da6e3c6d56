// Channel posts, joins, moderation and locks: validated, filtered, stored through persistence-service, announced on the bus.
import {
  topics,
  type ChannelLock, type ChannelLocks, type ChannelSanction, type ChatLine, type ChatServiceImplementation, type HistoryRequest, type HistoryResponse,
  type JoinRequest, type LocksRequest, type ModerateRequest, type ModerateResponse, type PostRequest, type UnlockRequest, type UnlockResponse,
} from '@loom/proto';
import { cleanInput } from '@loom/world';
import { InvalidArgumentError, PermissionDeniedError, ResourceExhaustedError, type Bus, type KeyValue, type ServiceClient } from '@loom/runtime';

const channelPattern = /^(\*|[a-z0-9][a-z0-9_.:-]{0,63})$/i;
export const maxChatLength = 2000;
const maxLockKeyLength = 1000;
const maxLocksAsked = 100;

/** What became of a posted line: the operator's view of chat (metrics). */
export type ChatOutcome = 'posted' | 'sanctioned' | 'flood' | 'invalid' | 'failed';

export interface ChatSettings {
  floodLines: number;
  floodWindowS: number;
  filter: (text: string) => string;
  counted?: (outcome: ChatOutcome) => void;
}

function outcomeOf(error: unknown): ChatOutcome {
  if (error instanceof PermissionDeniedError) return 'sanctioned';
  if (error instanceof ResourceExhaustedError) return 'flood';
  if (error instanceof InvalidArgumentError) return 'invalid';
  return 'failed';
}

/** Control characters would let one player rewrite another's terminal. */
const clean = (text: string): string => cleanInput(text).trim();

function requireChannel(channel: string): string {
  if (!channelPattern.test(channel)) throw new InvalidArgumentError(`"${channel}" is not a channel name (letters, digits, _ . : -; at most 64)`);
  return channel;
}

/** A channel that players join by name: not "*", nor the room and private talk world-state names itself. */
function requireLockable(channel: string): string {
  if (requireChannel(channel) === '*' || channel.includes(':')) throw new InvalidArgumentError(`"${channel}" cannot be locked: lock a room's talk with the room's speech lock`);
  return channel;
}

function requireLockKind(kind: string): string {
  if (kind !== 'join' && kind !== 'speech') throw new InvalidArgumentError(`a channel lock is join or speech, not "${kind}"`);
  return kind;
}

function until(ms: number): string {
  if (ms === 0) return 'until it is lifted';
  const minutes = Math.max(1, Math.ceil((ms - Date.now()) / 60000));
  return `for ${minutes} more minute${minutes === 1 ? '' : 's'}`;
}

const where = (channel: string) => (channel === '*' ? 'everywhere' : channel.startsWith('room:') ? 'here' : `on ${channel}`);

export class ChatCore implements ChatServiceImplementation {
  constructor(
    private readonly persistence: ServiceClient<'persistence-service'>,
    private readonly bus: Bus,
    private readonly kv: KeyValue,
    private readonly settings: ChatSettings,
  ) {}

  async post(request: PostRequest): Promise<ChatLine> {
    try {
      const line = await this.postLine(request);
      this.settings.counted?.('posted');
      return line;
    } catch (error) {
      this.settings.counted?.(outcomeOf(error));
      throw error;
    }
  }

  private async postLine(request: PostRequest): Promise<ChatLine> {
    const channel = requireChannel(request.channel);
    if (channel === '*') throw new InvalidArgumentError('"*" names every channel for moderation; nobody can talk on it');
    const text = this.settings.filter(clean(request.text));
    if (!text) throw new InvalidArgumentError('say something: the message is empty');
    if (text.length > maxChatLength) throw new InvalidArgumentError(`the message is ${text.length} characters; at most ${maxChatLength}`);
    const sanction = await this.sanction(channel, request.senderId);
    if (sanction) throw new PermissionDeniedError(`you are ${sanction.kind === 'ban' ? 'banned' : 'muted'} ${where(sanction.channel === '*' ? '*' : channel)} ${until(sanction.untilMs)}`);
    await this.checkFlood(request.senderId);
    const { lines } = await this.persistence.appendChatLines({
      lines: [{ channel, senderId: request.senderId, senderName: request.senderName, text, sentAtMs: Date.now() }],
    });
    const line = lines[0];
    if (!line) throw new Error('persistence-service stored no line');
    await this.bus.publish(topics.chatLine, line);
    return line;
  }

  async history(request: HistoryRequest): Promise<HistoryResponse> {
    const { lines } = await this.persistence.chatHistory({ channel: requireChannel(request.channel), limit: request.limit, beforeId: request.beforeId });
    return { lines };
  }

  async join(request: JoinRequest): Promise<HistoryResponse> {
    const channel = requireChannel(request.channel);
    const { sanctions } = await this.persistence.getChannelSanctions({ channel, userId: request.userId });
    const ban = sanctions.find((s) => s.kind === 'ban');
    if (ban) throw new PermissionDeniedError(`you are banned ${where(ban.channel === '*' ? '*' : channel)} ${until(ban.untilMs)}`);
    if (request.historyLines <= 0) return { lines: [] };
    return this.history({ channel, limit: request.historyLines, beforeId: 0 });
  }

  async moderate(request: ModerateRequest): Promise<ModerateResponse> {
    const channel = requireChannel(request.channel);
    if (!Number.isSafeInteger(request.durationS) || request.durationS < 0) throw new InvalidArgumentError('the duration must be 0 (until lifted) or more seconds');
    const [verb, kind] = { mute: ['muted', 'mute'], ban: ['banned', 'ban'], unmute: ['unmuted', 'mute'], unban: ['unbanned', 'ban'] }[request.action] ?? [];
    if (!verb || !kind) throw new InvalidArgumentError(`the action is mute, unmute, ban or unban, not "${request.action}"`);
    const sanction: ChannelSanction = {
      channel,
      userId: request.targetId,
      kind,
      untilMs: request.durationS > 0 ? Date.now() + request.durationS * 1000 : 0,
      byId: request.byId,
      createdAtMs: Date.now(),
    };
    if (request.action.startsWith('un')) {
      const { removed } = await this.persistence.removeChannelSanction(sanction);
      return { message: removed ? `${verb} ${where(channel)}` : `was not ${kind === 'ban' ? 'banned' : 'muted'} ${where(channel)}` };
    }
    await this.persistence.setChannelSanction(sanction);
    return { message: `${verb} ${where(channel)} ${until(sanction.untilMs)}` };
  }

  async lock(request: ChannelLock): Promise<ChannelLock> {
    const key = clean(request.key);
    if (!key) throw new InvalidArgumentError('the key is empty: unlock the channel instead');
    if (key.length > maxLockKeyLength) throw new InvalidArgumentError(`the key is ${key.length} characters; at most ${maxLockKeyLength}`);
    const lock = { channel: requireLockable(request.channel), kind: requireLockKind(request.kind), key, byId: request.byId, setAtMs: Date.now() };
    return this.persistence.setChannelLock(lock);
  }

  async unlock(request: UnlockRequest): Promise<UnlockResponse> {
    const lock = { channel: requireLockable(request.channel), kind: requireLockKind(request.kind), key: '', byId: 0, setAtMs: 0 };
    return this.persistence.removeChannelLock(lock);
  }

  async locks(request: LocksRequest): Promise<ChannelLocks> {
    if (request.channels.length > maxLocksAsked) throw new InvalidArgumentError(`ask for the locks of at most ${maxLocksAsked} channels at once`);
    return this.persistence.getChannelLocks({ channels: [...new Set(request.channels.map(requireChannel))] });
  }

  /** The sanction that keeps the sender quiet on the channel, if any (a ban outranks a mute). */
  private async sanction(channel: string, senderId: number): Promise<ChannelSanction | undefined> {
    if (senderId <= 0) return undefined;
    const { sanctions } = await this.persistence.getChannelSanctions({ channel, userId: senderId });
    return sanctions.find((s) => s.kind === 'ban') ?? sanctions[0];
  }

  private async checkFlood(senderId: number): Promise<void> {
    if (senderId <= 0) return;
    const count = await this.kv.increment(`chat:flood:${senderId}`, 1, { ttlMs: this.settings.floodWindowS * 1000 });
    if (count > this.settings.floodLines) throw new ResourceExhaustedError('you are talking too fast; wait a few seconds');
  }
}
