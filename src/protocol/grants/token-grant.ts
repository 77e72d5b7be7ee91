// One grant type per file, keyed by grant_type (STYLE.md principle 3). RFC 6749 §4.
import type { Client } from '../clients/client.js';
import type { ProtocolDeps } from '../deps.js';
import type { Params } from '../params.js';
import type { IssuanceAudit, TokenResponse } from '../tokens/token-issuer.js';

export interface TokenRequest {
  readonly client: Client;
  /** Only the parameters the grant declared. */
  readonly params: Params;
  /** The DPoP proof header (RFC 9449 §4), when sent. */
  readonly dpop?: string;
  /** The absolute URL of the token endpoint, as the client addressed it. */
  readonly endpointUrl: string;
  /** RFC 9449 §5: the thumbprint of the verified proof's key, which the issued tokens are bound to. */
  readonly dpopJkt?: string;
  /** The caller's address (the password grant's login throttle, the audit log). */
  readonly ip?: string;
  readonly userAgent?: string;
}

/** The token.issued audit event's context for a token endpoint request. */
export function issuanceAudit(request: TokenRequest, grantType: string): IssuanceAudit {
  return { grantType, ...(request.ip !== undefined && { ip: request.ip }), ...(request.userAgent !== undefined && { userAgent: request.userAgent }) };
}

export interface TokenGrant {
  readonly grantType: string;
  /** The allow-list of body parameters this grant reads; others never reach it. */
  readonly parameters: ReadonlySet<string>;
  exchange(request: TokenRequest, deps: ProtocolDeps): Promise<TokenResponse>;
}
