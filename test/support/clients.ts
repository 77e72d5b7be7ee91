// Test support for clients: registry deps over a real (in-memory SQLite or given) database, and helpers to
// make client assertions (RFC 7523 §3) the way a real client would.
import { randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import type { Config } from '../../src/config/config.js';
import { loadConfig } from '../../src/config/load-config.js';
import { ManualClock } from '../../src/lib/clock.js';
import { MasterKey } from '../../src/lib/master-key.js';
import { systemRandom } from '../../src/lib/random.js';
import type { ClientRegistryDeps } from '../../src/protocol/clients/client-registry.js';
import { CLIENT_ASSERTION_TYPE } from '../../src/protocol/client-authentication/verify-client-assertion.js';
import { openStorage } from '../../src/storage/open-storage.js';
import type { Storage } from '../../src/storage/storage.js';

export interface RegistryTestDeps extends ClientRegistryDeps {
  readonly storage: Storage & { close(): Promise<void> };
  readonly clock: ManualClock;
  readonly config: Config;
}

export async function registryDeps(options: { env?: Record<string, string>; databaseUrl?: string } = {}): Promise<RegistryTestDeps> {
  const config = loadConfig({ env: { LATCHKEY_ISSUER: 'https://auth.example', LATCHKEY_DATABASE_URL: options.databaseUrl ?? 'sqlite::memory:', ...options.env } });
  const storage = await openStorage(config.databaseUrl, { poolSize: 2 });
  return { config, storage, clock: new ManualClock(), random: systemRandom, masterKey: MasterKey.generate().key };
}

export interface ClientKeyPair {
  readonly privateKey: CryptoKey;
  readonly publicJwk: JWK;
  readonly alg: string;
}

export async function clientKeyPair(alg: 'ES256' | 'RS256' | 'PS256' | 'EdDSA', kid: string = randomUUID()): Promise<ClientKeyPair> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  return { privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' }, alg };
}

export interface AssertionClaims {
  readonly clientId: string;
  readonly audience: string | string[];
  /** Seconds from now (default 60). */
  readonly expiresIn?: number;
  readonly jti?: string | null;
  readonly now?: number;
  readonly iss?: string;
  readonly sub?: string;
}

/** Signs a client assertion with `key` (a private key, or a secret's bytes for HS256). */
export async function signAssertion(key: CryptoKey | Uint8Array, alg: string, claims: AssertionClaims, kid?: string): Promise<string> {
  const nowSeconds = Math.floor((claims.now ?? Date.now()) / 1000);
  const jwt = new SignJWT({})
    .setProtectedHeader({ alg, ...(kid !== undefined && { kid }) })
    .setIssuer(claims.iss ?? claims.clientId)
    .setSubject(claims.sub ?? claims.clientId)
    .setAudience(claims.audience)
    .setIssuedAt(nowSeconds)
    .setExpirationTime(nowSeconds + (claims.expiresIn ?? 60));
  if (claims.jti !== null) jwt.setJti(claims.jti ?? randomUUID());
  return jwt.sign(key);
}

/** The unsecured JWT (`alg: none`) an attacker would try. */
export function unsignedAssertion(claims: AssertionClaims): string {
  const now = Math.floor((claims.now ?? Date.now()) / 1000);
  const encode = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${encode({ alg: 'none' })}.${encode({ iss: claims.clientId, sub: claims.clientId, aud: claims.audience, iat: now, exp: now + 60, jti: randomUUID() })}.`;
}

export const assertionParams = (assertion: string): Record<string, string> => ({ client_assertion_type: CLIENT_ASSERTION_TYPE, client_assertion: assertion });

export const basic = (clientId: string, secret: string): string =>
  `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(secret)}`).toString('base64')}`;
