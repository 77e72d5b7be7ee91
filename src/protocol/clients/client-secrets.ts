// Client secrets: RFC 6749 §2.3.1 and RFC 7591 §3.2.1. Generated (256 bits, base64url), shown once, stored as a
// hash; sealed with the master key only for client_secret_jwt, which needs the secret itself as its HMAC key
// (RFC 7523 §2.2, OIDC Core §9).
import { constantTimeEqual, hashSecret } from '../../lib/hash.js';
import type { MasterKey } from '../../lib/master-key.js';
import type { Random } from '../../lib/random.js';
import { invalidRequest } from '../errors.js';
import type { Client, TokenEndpointAuthMethod } from './client.js';

export type SecretFields = Pick<Client, 'secretHash' | 'sealedSecret' | 'previousSecretHash' | 'previousSecretExpiresAt' | 'previousSealedSecret'>;

const SECRET_METHODS: readonly TokenEndpointAuthMethod[] = ['client_secret_basic', 'client_secret_post', 'client_secret_jwt'];

/** Whether clients using `method` hold a client secret. */
export const usesClientSecret = (method: TokenEndpointAuthMethod): boolean => SECRET_METHODS.includes(method);

/** The master-key context a secret is sealed under: binds the ciphertext to its client. */
const sealContext = (clientId: string): string => `client-secret:${clientId}`;

/** A fresh secret and the fields that store it. The secret itself is returned once and never stored in clear. */
export function issueClientSecret(clientId: string, method: TokenEndpointAuthMethod, random: Random, masterKey: MasterKey): { secret: string; fields: SecretFields } {
  const secret = random.token(32); // 256 bits: RFC 9700 §4.1.1 unguessable, and strong enough for HS256 (RFC 7518 §3.2)
  return {
    secret,
    fields: { secretHash: hashSecret(secret), ...(method === 'client_secret_jwt' && { sealedSecret: masterKey.encrypt(secret, sealContext(clientId)) }) },
  };
}

/** A client without any stored secret (for a method that holds none). */
export function withoutSecret(client: Client): Client {
  const { secretHash: _a, sealedSecret: _b, previousSecretHash: _c, previousSecretExpiresAt: _d, previousSealedSecret: _e, ...rest } = client;
  return rest;
}

export interface RotationOptions {
  readonly random: Random;
  readonly masterKey: MasterKey;
  readonly now: number;
  /** How long the previous secret keeps working; 0 ends it at once. */
  readonly graceSeconds: number;
}

/** Replaces the client's secret; the previous one stays valid for the grace period. */
export function rotateClientSecret(client: Client, options: RotationOptions): { client: Client; secret: string } {
  const method = client.metadata.token_endpoint_auth_method;
  if (!usesClientSecret(method)) throw invalidRequest(`the client uses ${method}, which has no client secret to rotate`);
  const { secret, fields } = issueClientSecret(client.clientId, method, options.random, options.masterKey);
  const keepPrevious = options.graceSeconds > 0 && client.secretHash !== undefined;
  return {
    secret,
    client: {
      ...withoutSecret(client),
      ...fields,
      ...(keepPrevious && {
        previousSecretHash: client.secretHash,
        previousSecretExpiresAt: options.now + options.graceSeconds * 1000,
        ...(client.sealedSecret !== undefined && fields.sealedSecret !== undefined && { previousSealedSecret: client.sealedSecret }),
      }),
      updatedAt: options.now,
    },
  };
}

/** Whether `secret` is the client's current secret, or its previous one inside the grace period. Constant-time. */
export function clientSecretMatches(client: Client, secret: string, now: number): boolean {
  const presented = hashSecret(secret);
  const current = client.secretHash !== undefined && constantTimeEqual(presented, client.secretHash);
  const previous = client.previousSecretHash !== undefined && (client.previousSecretExpiresAt ?? 0) > now && constantTimeEqual(presented, client.previousSecretHash);
  return current || previous;
}

/** The HMAC keys a client_secret_jwt assertion may be signed with now: the current secret, then the previous in grace. */
export function clientHmacSecrets(client: Client, masterKey: MasterKey, now: number): string[] {
  const secrets: string[] = [];
  if (client.sealedSecret !== undefined) secrets.push(masterKey.decrypt(client.sealedSecret, sealContext(client.clientId)));
  if (client.previousSealedSecret !== undefined && (client.previousSecretExpiresAt ?? 0) > now) {
    secrets.push(masterKey.decrypt(client.previousSealedSecret, sealContext(client.clientId)));
  }
  return secrets;
}
