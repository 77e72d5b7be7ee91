// Test support for DPoP (RFC 9449 §4.2): a client key pair and proofs made the way a real client makes them, plus the
// malformed ones an attacker would try.
import { randomUUID } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { accessTokenHash } from '../../src/protocol/dpop/verify-dpop-proof.js';

export interface DpopKey {
  readonly alg: string;
  readonly privateKey: CryptoKey;
  readonly publicJwk: JWK;
  /** RFC 7638 SHA-256 thumbprint: what the server puts in cnf.jkt. */
  readonly jkt: string;
}

export async function dpopKey(alg: 'ES256' | 'ES384' | 'PS256' | 'RS256' | 'EdDSA' = 'ES256'): Promise<DpopKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const publicJwk = await exportJWK(publicKey);
  return { alg, privateKey, publicJwk, jkt: await calculateJwkThumbprint(publicJwk, 'sha256') };
}

export interface ProofOptions {
  readonly htm?: string;
  readonly htu: string;
  /** Epoch ms; default now. */
  readonly now?: number;
  readonly jti?: string;
  readonly nonce?: string;
  /** The access token the proof accompanies (sets ath). */
  readonly accessToken?: string;
  readonly typ?: string;
  /** Replaces the jwk header (e.g. with a private JWK). */
  readonly jwk?: JWK;
  /** Claims to drop. */
  readonly omit?: readonly string[];
}

export async function dpopProof(key: DpopKey, options: ProofOptions): Promise<string> {
  const claims: Record<string, unknown> = {
    jti: options.jti ?? randomUUID(),
    htm: options.htm ?? 'POST',
    htu: options.htu,
    iat: Math.floor((options.now ?? Date.now()) / 1000),
    ...(options.nonce !== undefined && { nonce: options.nonce }),
    ...(options.accessToken !== undefined && { ath: accessTokenHash(options.accessToken) }),
  };
  for (const name of options.omit ?? []) delete claims[name];
  return new SignJWT(claims).setProtectedHeader({ alg: key.alg, typ: options.typ ?? 'dpop+jwt', jwk: options.jwk ?? key.publicJwk }).sign(key.privateKey);
}

const encode = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

/** An unsecured proof (`alg: none`). */
export function unsignedProof(key: DpopKey, htu: string): string {
  return `${encode({ alg: 'none', typ: 'dpop+jwt', jwk: key.publicJwk })}.${encode({ jti: randomUUID(), htm: 'POST', htu, iat: Math.floor(Date.now() / 1000) })}.`;
}

/** A proof MACed with HS256, with a symmetric jwk in the header. */
export async function hmacProof(htu: string): Promise<string> {
  const secret = new TextEncoder().encode('a-shared-secret-of-thirty-two-bytes!');
  const jwk = { kty: 'oct', k: Buffer.from(secret).toString('base64url') };
  return new SignJWT({ jti: randomUUID(), htm: 'POST', htu, iat: Math.floor(Date.now() / 1000) }).setProtectedHeader({ alg: 'HS256', typ: 'dpop+jwt', jwk }).sign(secret);
}

/** A proof whose jwk header carries the private key too. */
export async function privateJwkProof(key: DpopKey, htu: string): Promise<string> {
  const privateJwk = await exportJWK(key.privateKey);
  return dpopProof(key, { htu, jwk: privateJwk });
}
