import { defineService } from '@loom/runtime';
import type { JWK } from 'jose';
import { AuthCore } from './core/accounts.ts';
import { loadSigningKeys } from './core/keys.ts';
import { LoginLimits, RegistrationLimits } from './core/limits.ts';
import { AccessTokens } from './core/tokens.ts';

export { AuthCore } from './core/accounts.ts';
export { ensureAdmin } from './core/admin-account.ts';

export const service = defineService({
  name: 'auth-service',
  dependsOn: ['persistence-service'],
  async start({ config, directory, kv, logger }) {
    const persistence = directory.connect('persistence-service');
    const keys = await loadSigningKeys({ privateKeyPem: config.jwtPrivateKey, verifyKeys: config.jwtVerifyKeys as JWK[] | undefined, dataDir: config.dataDir });
    const tokens = new AccessTokens(keys, config.accessTokenTtlS);
    const limits = new LoginLimits(kv, { maxFailures: config.loginMaxFailures, windowS: config.loginWindowS, firstDelayMs: config.loginDelayMs }, async (username, clientAddress) =>
      (await persistence.knownAddress({ username, clientAddress })).known,
    );
    const registrations = new RegistrationLimits(kv, { perAddress: config.registerPerAddress, windowS: config.registerWindowS, spacingS: config.registerSpacingS });
    return { implementation: new AuthCore(persistence, kv, tokens, config.refreshTokenTtlS, limits, registrations, logger), stop: async () => {} };
  },
});
