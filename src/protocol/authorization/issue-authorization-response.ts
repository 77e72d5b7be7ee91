// The successful authorization response by response type: a code (RFC 6749 §4.1.2), or the implicit grant's tokens in
// the fragment (RFC 6749 §4.2.2, OIDC Core §3.2.2.5: access_token, token_type, expires_in, scope, id_token with
// at_hash and nonce; never a refresh token, §4.2.2), with state and RFC 9207 iss.
import type { ActiveSession } from '../../interaction/sessions.js';
import type { InteractionDeps } from '../../interaction/interaction-result.js';
import { OAuthError } from '../errors.js';
import { formatScope } from '../scope.js';
import { signIdToken } from '../tokens/id-token.js';
import type { AuthorizationRequest, AuthorizationResponse } from './authorization-request.js';
import { responseTarget } from './authorization-response.js';
import { issueAuthorizationCode } from './issue-authorization-code.js';

/** @see https://www.rfc-editor.org/rfc/rfc6749#section-4.2.2 */
export async function issueAuthorizationResponse(request: AuthorizationRequest, active: ActiveSession, deps: InteractionDeps): Promise<AuthorizationResponse> {
  if (request.responseType === 'code') return issueAuthorizationCode(request, active, deps);
  const client = await deps.storage.clients.find(request.clientId);
  if (client === undefined) throw new OAuthError('invalid_request', 'the client no longer exists');
  const { session, user } = active;
  const now = deps.clock.now();
  const grantId = deps.random.id();
  const login = { authTime: session.authTime, ...(session.acr !== undefined && { acr: session.acr }), amr: session.amr, sessionId: session.id };
  await deps.storage.grants.create({ id: grantId, clientId: client.clientId, subject: user.sub, scope: request.scope, resources: request.resources ?? [], ...login, createdAt: now, expiresAt: now });
  const parts = request.responseType.split(' ');
  const issued = parts.includes('token')
    ? await deps.tokens.issue({ client, audit: { grantType: 'implicit', idToken: parts.includes('id_token') }, grantId, subject: user.sub, scope: request.scope, resources: request.resources ?? [], ...login, refreshToken: false })
    : undefined;
  const idToken = parts.includes('id_token')
    ? await signIdToken({ client, user, scope: request.scope, ...(request.nonce !== undefined && { nonce: request.nonce }), ...login, ...(issued !== undefined && { accessToken: issued.accessToken }) }, deps)
    : undefined;
  const target = responseTarget(request, deps.config.issuer);
  return {
    redirectUri: target.redirectUri,
    responseMode: target.responseMode,
    params: {
      ...(issued !== undefined && {
        access_token: issued.accessToken,
        token_type: issued.tokenType,
        expires_in: String(issued.expiresIn),
        ...(issued.scope.length > 0 && { scope: formatScope(issued.scope) }),
      }),
      ...(idToken !== undefined && { id_token: idToken }),
      ...(target.state !== undefined && { state: target.state }),
      iss: target.issuer,
    },
  };
}
