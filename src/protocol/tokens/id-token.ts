// The ID Token: OIDC Core §2 (claims), §3.1.3.6 (at_hash), §3.1.3.7 (what the client checks), signed per the client's
// id_token_signed_response_alg (OIDC Registration §2) or the server's default (RS256, OIDC Core §15.1).
import { createHash } from 'node:crypto';
import type { Config, SigningAlg } from '../../config/config.js';
import type { Clock } from '../../lib/clock.js';
import type { UserRecord } from '../../storage/records/user.js';
import type { Client } from '../clients/client.js';
import { OAuthError } from '../errors.js';
import type { KeyRing } from '../keys/key-ring.js';
import { signJwt } from '../keys/sign-jwt.js';
import { claimsForScope } from '../users/standard-claims.js';

const SIGNING_ALGS: readonly SigningAlg[] = ['RS256', 'ES256', 'EdDSA'];

export interface IdTokenInput {
  readonly client: Client;
  readonly user: UserRecord;
  readonly scope: readonly string[];
  readonly nonce?: string;
  /** Epoch ms of the login. */
  readonly authTime: number;
  readonly acr?: string;
  readonly amr: readonly string[];
  readonly sessionId?: string;
  /** The access token issued alongside, for at_hash. */
  readonly accessToken?: string;
}

export interface IdTokenDeps {
  readonly config: Pick<Config, 'issuer' | 'keys' | 'authorization'>;
  readonly keys: KeyRing;
  readonly clock: Clock;
}

/** OIDC Core §3.1.3.6: the left half of the hash of the access token, the hash being the one of the signing alg (SHA-512 for Ed25519). */
export function accessTokenHash(accessToken: string, alg: SigningAlg): string {
  const digest = createHash(alg === 'EdDSA' ? 'sha512' : 'sha256').update(accessToken, 'ascii').digest();
  return digest.subarray(0, digest.length / 2).toString('base64url');
}

/** The algorithm the client registered, else the server's. */
export function idTokenAlg(client: Client, config: Pick<Config, 'keys'>): SigningAlg {
  const registered = client.metadata.id_token_signed_response_alg;
  if (registered === undefined) return config.keys.idTokenAlg;
  if (!(SIGNING_ALGS as readonly string[]).includes(registered)) throw new OAuthError('server_error', 'the client registered an id_token algorithm this server cannot sign with');
  return registered as SigningAlg;
}

/** @see https://openid.net/specs/openid-connect-core-1_0.html#IDToken */
export async function signIdToken(input: IdTokenInput, deps: IdTokenDeps): Promise<string> {
  const alg = idTokenAlg(input.client, deps.config);
  await deps.keys.refreshIfStale();
  const now = Math.floor(deps.clock.now() / 1000);
  const claims = {
    ...claimsForScope(input.user, input.scope), // OIDC Core §5.4: what the scopes release
    iss: deps.config.issuer,
    sub: input.user.sub,
    aud: input.client.clientId,
    exp: now + deps.config.authorization.idTokenTtlSeconds,
    iat: now,
    auth_time: Math.floor(input.authTime / 1000),
    ...(input.nonce !== undefined && { nonce: input.nonce }),
    ...(input.acr !== undefined && { acr: input.acr }),
    ...(input.amr.length > 0 && { amr: input.amr }),
    ...(input.accessToken !== undefined && { at_hash: accessTokenHash(input.accessToken, alg) }),
    ...(input.sessionId !== undefined && { sid: input.sessionId }),
  };
  return signJwt(claims, deps.keys.signingKey(alg), 'JWT');
}
