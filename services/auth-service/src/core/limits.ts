// Login throttling, counted in the key-value cache in three scopes:
//   - one account from one address;
//   - one address, on accounts never signed in to from there (a password sprayer);
//   - one account, from addresses it was never signed in from (guessers spread over many addresses).
// Past the free failures of a scope, every attempt in it waits a delay that doubles with each further
// failure, up to the window; failures are forgotten a window after the first. So the owner signing in
// from an address a session of theirs started from is held only by failures from that address: nobody
// elsewhere, nor a sprayer behind the same NAT guessing other accounts, can keep them out.
// And registration throttling: accounts made per address in a window, so one machine cannot mint hundreds.
import { isIPv4, isIPv6 } from 'node:net';
import { ResourceExhaustedError, type KeyValue } from '@loom/runtime';

export interface LimitSettings {
  /** Failures of one account (from one address, or from unknown ones) before delays start. */
  maxFailures: number;
  /** How long failures count, from the first; also the longest delay. */
  windowS: number;
  firstDelayMs: number;
}

/** An address may fail more often than one account: several people can share it. */
const addressFactor = 4;

/** Whether a session of the named account was started from the address (as addressKey gives it). */
export type KnownAddress = (username: string, address: string) => Promise<boolean>;

function wait(ms: number): string {
  if (ms < 60_000) {
    const s = Math.max(1, Math.ceil(ms / 1000));
    return `${s} second${s === 1 ? '' : 's'}`;
  }
  const m = Math.ceil(ms / 60_000);
  return `${m} minute${m === 1 ? '' : 's'}`;
}

/**
 * The unit an address limit counts: IPv4 as it is (also when mapped into IPv6), IPv6 by its /64, which
 * one subscriber usually holds whole.
 */
export function addressKey(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return mapped[1]!;
  if (isIPv4(address) || !isIPv6(address)) return address;
  const [head = '', tail] = address.split('%')[0]!.split('::');
  const groups = (part: string) => (part ? part.split(':').flatMap((g) => (g.includes('.') ? ['0', '0'] : [g])) : []);
  const front = groups(head);
  const back = tail === undefined ? [] : groups(tail);
  const all = [...front, ...Array<string>(8 - front.length - back.length).fill('0'), ...back];
  return `${all.slice(0, 4).map((g) => parseInt(g, 16).toString(16)).join(':')}::/64`;
}

interface Scope {
  key: string;
  allowed: number;
  /** Completes "too many failed logins …". */
  who: string;
}

/** One login attempt that got past the limits: tell it how the password check went. */
export interface LoginAttempt {
  failed(): Promise<void>;
  succeeded(): Promise<void>;
}

export class LoginLimits {
  constructor(
    private readonly kv: KeyValue,
    private readonly settings: LimitSettings,
    private readonly known: KnownAddress,
  ) {}

  /** Throws ResourceExhaustedError, with the wait, while a scope the attempt counts in is held. */
  async begin(username: string, clientAddress: string): Promise<LoginAttempt> {
    const name = username.toLowerCase();
    const address = addressKey(clientAddress);
    const { maxFailures } = this.settings;
    const pair: Scope = { key: `auth:fail:pair:${name}:${address}`, allowed: maxFailures, who: 'for this account from your address' };
    const others: Scope[] = [{ key: `auth:fail:user:${name}`, allowed: maxFailures, who: 'for this account from new places' }];
    if (address) others.push({ key: `auth:fail:addr:${address}`, allowed: maxFailures * addressFactor, who: 'from your address' });
    // Asked at most once per attempt, and only when it matters (a held scope, or a failure to count).
    let knownHere: Promise<boolean> | undefined;
    const isKnown = () => (knownHere ??= address ? this.known(name, address) : Promise.resolve(false));

    await this.pass(pair, await this.failures(pair));
    for (const scope of others) {
      const failures = await this.failures(scope);
      if (failures >= scope.allowed && !(await isKnown())) await this.pass(scope, failures);
    }
    return {
      failed: async () => {
        await this.fail(pair);
        if (!(await isKnown())) await Promise.all(others.map((scope) => this.fail(scope)));
      },
      // The account's and the address's counts stay: an owner signing in must not free a guesser.
      succeeded: async () => {
        await Promise.all([this.kv.delete(pair.key), this.kv.delete(`${pair.key}:wait`)]);
      },
    };
  }

  private async failures(scope: Scope): Promise<number> {
    return Number((await this.kv.get(scope.key)) ?? 0);
  }

  private delayMs(overLimit: number): number {
    return Math.min(this.settings.firstDelayMs * 2 ** overLimit, this.settings.windowS * 1000);
  }

  /** Past the limit, one attempt at a time takes the scope's turn; the others are told how long to wait. */
  private async pass(scope: Scope, failures: number): Promise<void> {
    if (failures < scope.allowed) return;
    const turn = `${scope.key}:wait`;
    if (await this.kv.setIfAbsent(turn, '1', { ttlMs: this.delayMs(failures - scope.allowed) })) return;
    const left = (await this.kv.ttl(turn)) ?? this.settings.firstDelayMs;
    throw new ResourceExhaustedError(`too many failed logins ${scope.who}; try again in ${wait(left)}`);
  }

  private async fail(scope: Scope): Promise<void> {
    const failures = await this.kv.increment(scope.key, 1, { ttlMs: this.settings.windowS * 1000 });
    if (failures >= scope.allowed) await this.kv.set(`${scope.key}:wait`, '1', { ttlMs: this.delayMs(failures - scope.allowed) });
  }
}

export interface RegistrationSettings {
  perAddress: number;
  windowS: number;
  /** Seconds an address waits between new accounts: a delay instead of a CAPTCHA (0 = none). */
  spacingS?: number;
}

export class RegistrationLimits {
  constructor(
    private readonly kv: KeyValue,
    private readonly settings: RegistrationSettings,
  ) {}

  /**
   * Counts a registration from the address; throws ResourceExhaustedError past the limit. An unknown
   * address ('': an internal caller such as a tool) is not limited; the gateways and http-api pass theirs.
   */
  async take(address: string): Promise<void> {
    if (!address) return;
    const spacingMs = (this.settings.spacingS ?? 0) * 1000;
    const spaced = `auth:register:spacing:${addressKey(address)}`;
    if (spacingMs > 0 && !(await this.kv.setIfAbsent(spaced, '1', { ttlMs: spacingMs }))) {
      const left = (await this.kv.ttl(spaced)) ?? spacingMs;
      throw new ResourceExhaustedError(`a new account was made from your address a moment ago; try again in ${wait(left)}`);
    }
    const key = `auth:register:addr:${addressKey(address)}`;
    const count = await this.kv.increment(key, 1, { ttlMs: this.settings.windowS * 1000 });
    if (count <= this.settings.perAddress) return;
    const left = (await this.kv.ttl(key)) ?? this.settings.windowS * 1000;
    throw new ResourceExhaustedError(`too many new accounts from your address; try again in ${wait(left)}`);
  }
}
