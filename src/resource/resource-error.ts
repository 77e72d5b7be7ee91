// Errors a protected resource sends: RFC 6750 §3 (Bearer), RFC 9449 §7.1 (DPoP), RFC 9728 §5.1 (resource_metadata).

/**
 * RFC 6750 §3.1 codes, plus `invalid_dpop_proof` (RFC 9449 §7.1) and `temporarily_unavailable` (503: the authorization
 * server could not be reached; RFC 6750 has no code for it, so RFC 6749 §4.1.2.1's is used). No code at all means
 * "no credentials were sent".
 */
export type ResourceErrorCode = 'invalid_request' | 'invalid_token' | 'insufficient_scope' | 'invalid_dpop_proof' | 'temporarily_unavailable';

const STATUS = {
  invalid_request: 400,
  invalid_token: 401,
  insufficient_scope: 403,
  invalid_dpop_proof: 401,
  temporarily_unavailable: 503,
} as const satisfies Record<ResourceErrorCode, number>;

export type AuthScheme = 'Bearer' | 'DPoP';

/**
 * A request the resource refuses. `status` and `wwwAuthenticate` are ready to send as they are; `description` is
 * client-safe ASCII; `cause` (a jose error, say) is for logs only.
 */
export class ResourceError extends Error {
  readonly status: number;
  constructor(
    readonly code: ResourceErrorCode | undefined,
    readonly description: string | undefined,
    /** The value of the WWW-Authenticate header: one challenge per accepted scheme, comma-separated. */
    readonly wwwAuthenticate: string,
    options?: { cause?: unknown },
  ) {
    super(description ?? code ?? 'authentication required', options);
    this.name = 'ResourceError';
    this.status = code === undefined ? 401 : STATUS[code];
  }

  /** The JSON body to send (RFC 6750 §3 does not require one; it helps people reading a 401 in a browser). */
  body(): Record<string, string> | undefined {
    if (this.code === undefined) return undefined;
    return { error: this.code, ...(this.description !== undefined && { error_description: this.description }) };
  }
}

/** The fields a challenge may carry. */
export interface ChallengeParams {
  readonly realm?: string;
  readonly error?: ResourceErrorCode;
  readonly errorDescription?: string;
  readonly scope?: readonly string[];
  readonly resourceMetadata?: string;
  readonly algs?: readonly string[];
}

// RFC 6750 §3: quoted-string values; §3 also restricts error_description and scope to printable ASCII without `"` or `\`.
const quote = (value: string): string => `"${value.replace(/[^\x20-\x21\x23-\x5b\x5d-\x7e]/g, '')}"`;

/**
 * One challenge: `Bearer realm="…", error="…", error_description="…", scope="…", resource_metadata="…"`.
 * @see https://www.rfc-editor.org/rfc/rfc6750#section-3
 */
export function formatChallenge(scheme: AuthScheme, params: ChallengeParams): string {
  const parts: string[] = [];
  if (params.realm !== undefined) parts.push(`realm=${quote(params.realm)}`);
  if (params.error !== undefined) parts.push(`error=${quote(params.error)}`);
  if (params.errorDescription !== undefined) parts.push(`error_description=${quote(params.errorDescription)}`);
  if (params.scope !== undefined && params.scope.length > 0) parts.push(`scope=${quote(params.scope.join(' '))}`);
  if (params.resourceMetadata !== undefined) parts.push(`resource_metadata=${quote(params.resourceMetadata)}`); // RFC 9728 §5.1
  if (params.algs !== undefined && params.algs.length > 0) parts.push(`algs=${quote(params.algs.join(' '))}`); // RFC 9449 §7.1
  return parts.length === 0 ? scheme : `${scheme} ${parts.join(', ')}`;
}

/** Internal: a check failed. The verifier turns it into a ResourceError with the challenge for the request. */
export class Rejection extends Error {
  constructor(
    readonly code: ResourceErrorCode,
    readonly description: string,
    options?: { cause?: unknown },
  ) {
    super(description, options);
    this.name = 'Rejection';
  }
}
