// The Ed25519 key that signs access tokens, and the public keys accepted while keys rotate.
// Embedded wiring: generated on first start and kept (mode 0600) under LOOM_DATA_DIR/keys.
import { generateKeyPairSync } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { calculateJwkThumbprint, exportJWK, importJWK, importPKCS8, type CryptoKey, type JWK } from 'jose';

export const algorithm = 'EdDSA';

export interface SigningKeys {
  kid: string;
  privateKey: CryptoKey;
  /** Every key an access token may be signed with, by kid: the current one and the rotated-out ones. */
  verifying: Map<string, CryptoKey>;
}

async function embeddedPem(dataDir: string): Promise<string> {
  const file = join(dataDir, 'keys', 'jwt-ed25519.pem');
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const { privateKey } = generateKeyPairSync('ed25519');
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  await mkdir(join(dataDir, 'keys'), { recursive: true, mode: 0o700 });
  try {
    await writeFile(file, pem, { mode: 0o600, flag: 'wx' });
    return pem;
  } catch (error) {
    // Another process generated it first: use theirs, so both sign with one key.
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return readFile(file, 'utf8');
    throw error;
  }
}

export async function loadSigningKeys(options: { privateKeyPem?: string; verifyKeys?: JWK[]; dataDir: string }): Promise<SigningKeys> {
  const pem = options.privateKeyPem ?? (await embeddedPem(options.dataDir));
  const privateKey = await importPKCS8(pem, algorithm, { extractable: true });
  const { d: _secret, ...publicJwk } = await exportJWK(privateKey);
  const kid = await calculateJwkThumbprint(publicJwk);
  const verifying = new Map<string, CryptoKey>([[kid, (await importJWK({ ...publicJwk, alg: algorithm }, algorithm)) as CryptoKey]]);
  for (const jwk of options.verifyKeys ?? []) {
    if (jwk.kid && !verifying.has(jwk.kid)) verifying.set(jwk.kid, (await importJWK(jwk, algorithm)) as CryptoKey);
  }
  return { kid, privateKey, verifying };
}
