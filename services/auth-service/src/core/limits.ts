// Login throttling: failures counted per account and per address in the key-value cache, in a window that
// opens with the first failure; past the limit, logins are refused until the window closes. And
// registration throttling: accounts made per address in a window, so one machine cannot mint hundreds.
import { ResourceExhaustedError, type KeyValue } from '@loom/runtime';

export interface LimitSettings {
  maxFailures: number;
  lockoutS: number;
}

/** An address may fail more often than one account: several people can share it. */
const addressFactor = 4;

function minutes(ms: number): string {
  const m = Math.max(1, Math.ceil(ms / 60000));
  return `${m} minute${m === 1 ? '' : 's'}`;
}

export class LoginLimits {
  constructor(
    private readonly kv: KeyValue,
    private readonly settings: LimitSettings,
  ) {}

  private keys(username: string, address: string) {
    return { account: `auth:fail:user:${username.toLowerCase()}`, address: `auth:fail:addr:${address}` };
  }

  /** Throws ResourceExhaustedError while either the account or the address is locked. */
  async check(username: string, address: string): Promise<void> {
    const keys = this.keys(username, address);
    const [account, fromAddress] = await Promise.all([this.kv.get(keys.account), this.kv.get(keys.address)]);
    const { maxFailures } = this.settings;
    const locked = Number(account ?? 0) >= maxFailures ? keys.account : Number(fromAddress ?? 0) >= maxFailures * addressFactor ? keys.address : undefined;
    if (!locked) return;
    const left = (await this.kv.ttl(locked)) ?? this.settings.lockoutS * 1000;
    const who = locked === keys.account ? 'this account' : 'your address';
    throw new ResourceExhaustedError(`too many failed logins for ${who}; try again in ${minutes(left)}`);
  }

  async failed(username: string, address: string): Promise<void> {
    const keys = this.keys(username, address);
    const ttlMs = this.settings.lockoutS * 1000;
    await Promise.all([this.kv.increment(keys.account, 1, { ttlMs }), this.kv.increment(keys.address, 1, { ttlMs })]);
  }

  async succeeded(username: string): Promise<void> {
    await this.kv.delete(this.keys(username, '').account);
  }
}

export interface RegistrationSettings {
  perAddress: number;
  windowS: number;
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
    const key = `auth:register:addr:${address}`;
    const count = await this.kv.increment(key, 1, { ttlMs: this.settings.windowS * 1000 });
    if (count <= this.settings.perAddress) return;
    const left = (await this.kv.ttl(key)) ?? this.settings.windowS * 1000;
    throw new ResourceExhaustedError(`too many new accounts from your address; try again in ${minutes(left)}`);
  }
}
