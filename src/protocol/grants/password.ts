// Resource owner password credentials grant: RFC 6749 §4.3. Legacy (RFC 9700 §2.4: MUST NOT be used), so it exists only
// when the operator turns it on server-wide and the client's policy allows it; every attempt goes through the login
// page's throttle (per account and per IP) and gives one answer for every failure.
import { clearLoginFailures, loginWaitMs, recordLoginFailure } from '../../interaction/login-throttle.js';
import { allowedScopes } from '../authorization/validate-authorization-request.js';
import { invalidGrant, invalidScope, OAuthError } from '../errors.js';
import { parseScope } from '../scope.js';
import { issueUserTokens } from '../tokens/issue-user-tokens.js';
import { findUserByLogin } from '../users/manage-users.js';
import { verifyPassword } from '../users/password.js';
import { issuanceAudit, type TokenGrant } from './token-grant.js';

/** RFC 8176 §2: a password; the same assurance the login page reports. */
const PASSWORD_LOGIN = { amr: ['pwd'], acr: '1' } as const;

export const passwordGrant: TokenGrant = {
  grantType: 'password',
  parameters: new Set(['username', 'password', 'scope']),

  /** @see https://www.rfc-editor.org/rfc/rfc6749#section-4.3.2 */
  async exchange(request, deps) {
    const { client, params, ip, dpopJkt } = request;
    if (!client.policy.allowedLegacyGrants.includes('password')) {
      throw new OAuthError('unauthorized_client', 'the client is not allowed to use the password grant');
    }
    const identifier = params.required('username').trim().slice(0, 320);
    const password = params.required('password');
    const requested = params.optional('scope');
    const allowed = allowedScopes(client);
    const scope = requested === undefined ? [] : parseScope(requested);
    if (scope.some((item) => !allowed.includes(item))) throw invalidScope('the client may not request one or more of these scopes');

    const address = ip ?? 'unknown';
    const waitMs = await loginWaitMs(identifier, address, deps);
    if (waitMs > 0) {
      const retryAfter = String(Math.ceil(waitMs / 1000));
      throw new OAuthError('too_many_requests', 'too many failed attempts; retry later', { headers: { 'retry-after': retryAfter } });
    }
    const user = await findUserByLogin(identifier, deps.storage);
    const matches = await verifyPassword(user?.passwordHash, password); // the same work when there is no user
    if (user === undefined || !matches || user.disabled) {
      await recordLoginFailure(identifier, address, deps);
      throw invalidGrant('the username or password is not right');
    }
    await clearLoginFailures(identifier, deps);

    const now = deps.clock.now();
    const grantId = deps.random.id();
    await deps.storage.grants.create({
      id: grantId,
      clientId: client.clientId,
      subject: user.sub,
      scope,
      resources: [],
      authTime: now,
      acr: PASSWORD_LOGIN.acr,
      amr: PASSWORD_LOGIN.amr,
      createdAt: now,
      expiresAt: now, // the tokens issued next extend it
    });
    return issueUserTokens({ client, audit: issuanceAudit(request, 'password'), user, grantId, scope, authTime: now, acr: PASSWORD_LOGIN.acr, amr: PASSWORD_LOGIN.amr, ...(dpopJkt !== undefined && { dpopJkt }) }, deps);
  },
};
