// Token revocation: RFC 7009 §2. A client revokes its own tokens; revoking a refresh token revokes its grant, with
// every access token issued under it (§2.1 SHOULD).
import { authenticateClient } from '../client-authentication/authenticate-client.js';
import type { ProtocolDeps } from '../deps.js';
import { invalidRequest, OAuthError } from '../errors.js';
import { Params } from '../params.js';
import { findToken } from '../tokens/find-token.js';
import { toAuditRecord, type AuditOrigin } from '../audit/audit-event.js';

export interface RevocationHttpInput {
  readonly body: unknown;
  readonly authorization?: string;
  readonly endpointUrl: string;
  /** For the token.revoked audit event. */
  readonly origin?: AuditOrigin;
}

export type RevocationEndpoint = (input: RevocationHttpInput) => Promise<void>;

const HINTS = new Set(['access_token', 'refresh_token']);

/** @see https://www.rfc-editor.org/rfc/rfc7009#section-2.1 */
export function createRevocationEndpoint(deps: ProtocolDeps): RevocationEndpoint {
  return async (input) => {
    const params = Params.from(input.body);
    // Public clients may revoke too (§2.1: they identify themselves with client_id).
    const client = await authenticateClient({ authorization: input.authorization, params, endpointUrl: input.endpointUrl }, deps);
    const token = params.required('token');
    const hint = params.optional('token_type_hint');
    // §2.2.1: a type this server does not issue, and so cannot revoke.
    if (hint !== undefined && !HINTS.has(hint)) throw new OAuthError('unsupported_token_type', 'only access_token and refresh_token can be revoked');
    const found = await findToken(token, hint as 'access_token' | 'refresh_token' | undefined, deps);
    if (found === undefined) return; // §2.2: an invalid token is not an error; there is nothing left to revoke
    // §2.1: the server verifies the token was issued to the client asking, and refuses otherwise.
    if (found.record.clientId !== client.clientId) throw invalidRequest('the token was not issued to this client');
    // §2.2: an access token revoked before stays so; nothing changes, so nothing is written or audited again.
    if (found.kind === 'access_token' && found.record.revokedAt !== undefined) return;
    const now = deps.clock.now();
    const event = toAuditRecord(
      {
        type: 'token.revoked',
        clientId: client.clientId,
        ...(found.record.subject !== undefined && { subject: found.record.subject }),
        details: { revoked_by: 'client', kind: found.kind, ...(found.kind === 'refresh_token' && { grant_id: found.record.grantId }) },
      },
      { actor: `client:${client.clientId}`, ...input.origin },
      deps,
    );
    // Issue 9 item 8: the event with the revocation, atomically.
    if (found.kind === 'access_token') {
      await deps.storage.accessTokens.revokeRecorded(found.record.id, now, event); // one write, group-committed on SQLite (issue #10 §2)
      return;
    }
    await deps.storage.transaction(async (tx) => {
      await tx.grants.revoke(found.record.grantId, now);
      await tx.audit.record(event);
    });
  };
}
