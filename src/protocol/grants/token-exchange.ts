// Token exchange: RFC 8693 §2 (request, response, errors) and §4.1 (`act`: delegation), for the subject and actor tokens
// Latchkey itself issued (access tokens, OIDC id_tokens), under a per-client policy of audiences and scopes (§5).
import type { ActorClaim } from '../../storage/records/access-token.js';
import type { Client } from '../clients/client.js';
import type { ProtocolDeps } from '../deps.js';
import { invalidRequest, invalidScope, OAuthError } from '../errors.js';
import { mayIntrospect } from '../introspection/introspect-token.js';
import { verifyOwnJwt } from '../keys/verify-jwt.js';
import { resolveResources } from '../resource-indicators/resolve-resources.js';
import { parseScope } from '../scope.js';
import { findToken } from '../tokens/find-token.js';
import { tokenResponse } from '../tokens/token-response.js';
import { issuanceAudit, type TokenGrant } from './token-grant.js';

export const TOKEN_EXCHANGE_GRANT_TYPE = 'urn:ietf:params:oauth:grant-type:token-exchange';

/** RFC 8693 §3: the token type identifiers this server understands. */
export const TOKEN_TYPES = {
  accessToken: 'urn:ietf:params:oauth:token-type:access_token',
  idToken: 'urn:ietf:params:oauth:token-type:id_token',
} as const;

/** What a presented subject or actor token says, once found to be ours, live and the caller's to use. */
interface PresentedToken {
  /** Whom it is about (`sub`). */
  readonly subject: string;
  /** What it grants; undefined for an id_token, which grants nothing by itself. */
  readonly scope?: readonly string[];
  /** The grant it belongs to: exchanged tokens join it, so revoking the grant revokes them too. */
  readonly grantId?: string;
  readonly expiresAt: number;
  readonly act?: ActorClaim;
}

type Role = 'subject_token' | 'actor_token';

// §2.2.2: an invalid, inactive or unacceptable subject or actor token is invalid_request. One text for all of them:
// nothing to learn by probing.
const unusable = (role: Role): OAuthError => invalidRequest(`the ${role} is invalid, inactive, or not one this client may use`);

/** A live access token that the caller may see (the one it holds, or one whose audience names it: RFC 7662 §4 rules). */
async function readAccessToken(token: string, role: Role, client: Client, deps: ProtocolDeps): Promise<PresentedToken> {
  const found = await findToken(token, 'access_token', deps);
  if (found?.kind !== 'access_token' || !mayIntrospect(client, found, deps)) throw unusable(role);
  const { record } = found;
  if (record.revokedAt !== undefined || record.expiresAt <= deps.clock.now()) throw unusable(role);
  return {
    subject: record.subject ?? record.clientId, // RFC 9068 §2.2: a client_credentials token is about the client
    scope: record.scope,
    ...(record.grantId !== undefined && { grantId: record.grantId }),
    expiresAt: record.expiresAt,
    ...(record.act !== undefined && { act: record.act }),
  };
}

/**
 * An id_token this server signed (OIDC Core §2) for the calling client, unexpired. As a subject token it stands for
 * the user's live grant to that client, and the exchanged token joins that grant: once the user revokes the client,
 * its id_tokens exchange for nothing.
 */
async function readIdToken(token: string, role: Role, client: Client, deps: ProtocolDeps): Promise<PresentedToken> {
  const claims = await verifyOwnJwt(token, deps.keys, 'JWT');
  const now = deps.clock.now();
  if (claims === undefined || claims.iss !== deps.config.issuer || typeof claims.sub !== 'string' || typeof claims.exp !== 'number') throw unusable(role);
  const audience = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  if (!audience.includes(client.clientId) || claims.exp * 1000 <= now) throw unusable(role);
  if (role === 'actor_token') return { subject: claims.sub, expiresAt: claims.exp * 1000 };
  const grants = await deps.storage.grants.listBySubject(claims.sub);
  const grant = grants.find((candidate) => candidate.clientId === client.clientId && (candidate.expiresAt === undefined || candidate.expiresAt > now));
  if (grant === undefined) throw unusable(role);
  return { subject: claims.sub, grantId: grant.id, expiresAt: claims.exp * 1000 };
}

function readToken(token: string, type: string, role: Role, client: Client, deps: ProtocolDeps): Promise<PresentedToken> {
  if (type === TOKEN_TYPES.accessToken) return readAccessToken(token, role, client, deps);
  if (type === TOKEN_TYPES.idToken) return readIdToken(token, role, client, deps);
  throw invalidRequest(`${role}_type must be ${TOKEN_TYPES.accessToken} or ${TOKEN_TYPES.idToken}`);
}

export const tokenExchangeGrant: TokenGrant = {
  grantType: TOKEN_EXCHANGE_GRANT_TYPE,
  parameters: new Set(['subject_token', 'subject_token_type', 'actor_token', 'actor_token_type', 'requested_token_type', 'audience', 'resource', 'scope']),

  /** @see https://www.rfc-editor.org/rfc/rfc8693#section-2.1 */
  async exchange(request, deps) {
    const { client, params, dpopJkt } = request;
    const policy = client.policy.tokenExchange;
    if (policy === undefined) throw new OAuthError('unauthorized_client', 'this client may not exchange tokens');
    const requestedType = params.optional('requested_token_type');
    if (requestedType !== undefined && requestedType !== TOKEN_TYPES.accessToken) throw invalidRequest(`requested_token_type must be ${TOKEN_TYPES.accessToken}`);

    const subject = await readToken(params.required('subject_token'), params.required('subject_token_type'), 'subject_token', client, deps);
    const actorToken = params.optional('actor_token');
    const actorType = params.optional('actor_token_type');
    if ((actorToken === undefined) !== (actorType === undefined)) throw invalidRequest('actor_token and actor_token_type are sent together'); // §2.1
    const actor = actorToken === undefined ? undefined : await readToken(actorToken, actorType as string, 'actor_token', client, deps);

    // §2.1: audience (a logical name) and resource (a URI) both name the target; here both are configured resources.
    const targets = [params.optional('audience'), params.optional('resource')].filter((value): value is string => value !== undefined);
    if (targets.length === 0) throw invalidRequest('audience or resource is required: name the service the token is for');
    const resources = resolveResources(targets, deps.config); // RFC 8707 §2: unknown → invalid_target
    if (resources.some((uri) => !policy.audiences.includes(uri))) throw new OAuthError('invalid_target', 'this client may not exchange tokens for that audience'); // §2.2.2

    // Never more than the subject token carries (an id_token: than the client is registered for), nor than the policy allows.
    const available = subject.scope ?? parseScope(client.metadata.scope);
    const allowed = policy.scopes === undefined ? available : available.filter((item) => policy.scopes?.includes(item));
    const requested = params.optional('scope');
    const scope = requested === undefined ? allowed : parseScope(requested);
    if (scope.some((item) => !allowed.includes(item))) throw invalidScope('the requested scope exceeds the subject token or what this client may exchange for');

    // §4.1: the actor is the actor token's subject, or else the client itself, unless the policy lets it impersonate;
    // an earlier delegation stays visible as a nested act.
    const act: ActorClaim | undefined =
      actor !== undefined ? { sub: actor.subject, ...(subject.act !== undefined && { act: subject.act }) }
      : policy.allowImpersonation === true ? subject.act
      : { sub: client.clientId, ...(subject.act !== undefined && { act: subject.act }) };

    const issued = await deps.tokens.issue({
      client,
      audit: issuanceAudit(request, TOKEN_EXCHANGE_GRANT_TYPE),
      ...(subject.grantId !== undefined && { grantId: subject.grantId }),
      subject: subject.subject,
      scope,
      resources,
      refreshToken: false, // §2.2.1: optional; a delegated token is short-lived and re-derived from its subject token
      dpopJkt,
      ...(act !== undefined && { act }),
      accessTokenExpiresAtMost: Math.min(subject.expiresAt, actor?.expiresAt ?? Number.POSITIVE_INFINITY),
    });
    return { ...tokenResponse(issued), issued_token_type: TOKEN_TYPES.accessToken }; // §2.2.1
  },
};
