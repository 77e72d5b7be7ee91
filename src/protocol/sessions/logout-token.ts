// The Logout Token: OIDC Back-Channel Logout 1.0 §2.4 (claims), §2.4 typ "logout+jwt" (RFC 8725 §3.11 explicit typing),
// signed like the client's id_tokens.
import type { Config } from '../../config/config.js';
import type { Clock } from '../../lib/clock.js';
import type { Random } from '../../lib/random.js';
import type { Client } from '../clients/client.js';
import type { KeyRing } from '../keys/key-ring.js';
import { signJwt } from '../keys/sign-jwt.js';
import { idTokenAlg } from '../tokens/id-token.js';

export const BACKCHANNEL_LOGOUT_EVENT = 'http://schemas.openid.net/event/backchannel-logout';

/** A logout token is used at once by the RP; two minutes covers clock skew (§2.4 "SHOULD be short"). */
export const LOGOUT_TOKEN_TTL_SECONDS = 120;

export interface LogoutTokenDeps {
  readonly config: Pick<Config, 'issuer' | 'keys'>;
  readonly keys: KeyRing;
  readonly clock: Clock;
  readonly random: Random;
}

/** @see https://openid.net/specs/openid-connect-backchannel-1_0.html#LogoutToken */
export async function signLogoutToken(client: Client, who: { readonly subject?: string; readonly sessionId?: string }, deps: LogoutTokenDeps): Promise<string> {
  if (who.subject === undefined && who.sessionId === undefined) throw new Error('a logout token needs sub or sid (§2.4)');
  await deps.keys.refreshIfStale();
  const now = Math.floor(deps.clock.now() / 1000);
  const claims = {
    iss: deps.config.issuer,
    aud: client.clientId,
    iat: now,
    exp: now + LOGOUT_TOKEN_TTL_SECONDS,
    jti: deps.random.token(16),
    ...(who.subject !== undefined && { sub: who.subject }),
    ...(who.sessionId !== undefined && { sid: who.sessionId }),
    events: { [BACKCHANNEL_LOGOUT_EVENT]: {} }, // §2.4: and never a nonce, so it cannot pass for an id_token
  };
  return signJwt(claims, deps.keys.signingKey(idTokenAlg(client, deps.config)), 'logout+jwt');
}
