// Authorization code exchange: RFC 6749 §4.1.3, with PKCE per RFC 7636 §4.6 and the ID Token of OIDC Core §3.1.3.3.
import { hashSecret } from '../../lib/hash.js';
import { recordAuditEvent } from '../audit/audit-event.js';
import { invalidGrant, OAuthError } from '../errors.js';
import { verifyCodeVerifier } from '../pkce/verify-code-verifier.js';
import { issueUserTokens } from '../tokens/issue-user-tokens.js';
import { issuanceAudit, type TokenGrant } from './token-grant.js';
import { selectTokenResources } from '../resource-indicators/select-token-resources.js';

/** Issue 9 item 8: a replayed code is a security event (the grant it revoked, whose it was). */
async function auditReuse(grantId: string, subject: string, clientId: string, deps: Parameters<TokenGrant['exchange']>[1]): Promise<void> {
  await recordAuditEvent({ type: 'code.reuse_detected', clientId, subject, details: { grant_id: grantId } }, { actor: `client:${clientId}` }, { audit: deps.storage.audit, clock: deps.clock, random: deps.random });
}

export const authorizationCodeGrant: TokenGrant = {
  grantType: 'authorization_code',
  parameters: new Set(['code', 'redirect_uri', 'code_verifier', 'resource']),

  async exchange(request, deps) {
    const { client, params, dpopJkt } = request;
    const { storage, clock } = deps;
    const hash = hashSecret(params.required('code'));
    const code = await storage.authorizationCodes.find(hash);
    const now = clock.now();
    if (code === undefined || code.clientId !== client.clientId || code.expiresAt <= now) {
      throw invalidGrant('authorization code is invalid, expired, or was issued to another client');
    }
    if (code.consumedAt !== undefined) {
      await storage.grants.revoke(code.grantId, now); // §4.1.2: SHOULD revoke tokens issued from a reused code
      await auditReuse(code.grantId, code.subject, client.clientId, deps);
      throw invalidGrant('authorization code has already been used');
    }
    // §4.1.3: redirect_uri must be repeated exactly when the authorization request carried it.
    const redirectUri = params.optional('redirect_uri');
    if (code.redirectUriProvided ? redirectUri !== code.redirectUri : redirectUri !== undefined && redirectUri !== code.redirectUri) {
      throw invalidGrant('redirect_uri does not match the authorization request');
    }
    verifyCodeVerifier(params.optional('code_verifier'), code.codeChallenge);
    // RFC 9449 §10: a code bound to a DPoP key is redeemed only with a proof by that key.
    if (code.dpopJkt !== undefined && code.dpopJkt !== dpopJkt) throw invalidGrant('the authorization code is bound to a DPoP key: send a proof made with that key');

    // RFC 8707 §2.2: the token's audience is the grant's resources, or one of them when `resource` is sent. Checked
    // before the code is used up, so a wrong resource does not burn it.
    const granted = (await storage.grants.find(code.grantId))?.resources ?? [];
    const resources = selectTokenResources(params.optional('resource'), granted, deps.config);
    const user = await storage.users.find(code.subject);
    if (user === undefined || user.disabled) throw invalidGrant('the user can no longer sign in');

    try {
      // The code is used up in the transaction that writes the tokens, so that a concurrent redemption (in any
      // process) that finds it used also finds them, and its revocation below reaches them: exactly one winner,
      // whose tokens die with the replay (§4.1.2).
      return await issueUserTokens(
        {
          client,
          audit: issuanceAudit(request, 'authorization_code'),
          user,
          grantId: code.grantId,
          scope: code.scope,
          resources,
          ...(code.nonce !== undefined && { nonce: code.nonce }),
          authTime: code.authTime,
          ...(code.acr !== undefined && { acr: code.acr }),
          amr: code.amr,
          ...(code.sessionId !== undefined && { sessionId: code.sessionId }),
          ...(dpopJkt !== undefined && { dpopJkt }), // RFC 9449 §5
          redeemsCode: hash,
        },
        deps,
      );
    } catch (error) {
      // Refused because another redemption used the code meanwhile (or revoked the grant on seeing it used): a replay.
      if (error instanceof OAuthError && error.code === 'invalid_grant' && (await storage.authorizationCodes.find(hash))?.consumedAt !== undefined) {
        await storage.grants.revoke(code.grantId, clock.now());
        await auditReuse(code.grantId, code.subject, client.clientId, deps);
        throw invalidGrant('authorization code has already been used');
      }
      throw error;
    }
  },
};
