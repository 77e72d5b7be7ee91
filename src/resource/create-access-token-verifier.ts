// The resource server's one entry point: RFC 6750 §2–3 (Bearer), RFC 9449 §7 (DPoP), RFC 9068 §4 / RFC 7662 (token checks).
import { createRemoteJWKSet, type JWTVerifyGetKey, type RemoteJWKSet } from 'jose';
import { BoundedCache } from './bounded-cache.js';
import { discoverAuthorizationServer, once, type AuthorizationServerMetadata } from './discover-authorization-server.js';
import { introspectAccessToken, IntrospectionCache, type IntrospectionClient } from './introspect-access-token.js';
import type { Principal, Requirements } from './principal.js';
import { headerValues, readCredentials, type ResourceRequest } from './request-credentials.js';
import { formatChallenge, Rejection, ResourceError, type AuthScheme, type ResourceErrorCode } from './resource-error.js';
import type { VerifiedToken } from './verified-token.js';
import { verifyDpopProof } from './verify-dpop-proof.js';
import { looksLikeJwt, verifyJwtAccessToken } from './verify-jwt-access-token.js';

/** Asymmetric JWS algs only (RFC 8725 §3.1): `none` and HS* are refused even if configured. */
export const DEFAULT_ALGORITHMS = ['ES256', 'ES384', 'ES512', 'PS256', 'PS384', 'PS512', 'RS256', 'RS384', 'RS512', 'EdDSA', 'Ed25519'] as const;

export interface AccessTokenVerifierOptions {
  /** The authorization server's issuer identifier, exactly as in its metadata (RFC 8414 §2). */
  readonly issuer: string;
  /** This resource's identifier(s): a token's `aud` must name one (RFC 9068 §4, RFC 8707). Routes may narrow it. */
  readonly audience: string | readonly string[];
  /** Default: `jwks_uri` from the issuer's metadata (RFC 8414 §3). */
  readonly jwksUri?: string;
  /** Credentials of this resource as a client of the issuer, to introspect opaque tokens (RFC 7662 §2.1). Without it, opaque tokens are refused. */
  readonly introspection?: IntrospectionClient & { readonly endpoint?: string };
  /** JWS algs accepted for access tokens. Default DEFAULT_ALGORITHMS. */
  readonly algorithms?: readonly string[];
  /** Leeway for exp, nbf and DPoP iat, in seconds. Default 30. */
  readonly clockSkewSeconds?: number;
  /** Least time between two JWKS fetches triggered by an unknown `kid`, in seconds. Default 30. */
  readonly jwksRefreshCooldownSeconds?: number;
  /** How long fetched keys are used before a routine refetch, in seconds. Default 600. */
  readonly jwksMaxAgeSeconds?: number;
  /** Longest a positive introspection answer is reused (the revocation lag), in seconds; 0 disables. Default 30. */
  readonly introspectionCacheSeconds?: number;
  readonly introspectionCacheMaxEntries?: number;
  readonly dpop?: {
    /** `allowed` (default): Bearer and DPoP; `required`: DPoP only; `disabled`: Bearer only (bound tokens are still refused). */
    readonly mode?: 'allowed' | 'required' | 'disabled';
    /** Default DEFAULT_ALGORITHMS. */
    readonly algorithms?: readonly string[];
    /** How old a proof's `iat` may be, in seconds. Default 60. */
    readonly proofMaxAgeSeconds?: number;
    /** jti replay cache size, per process. Default 100 000. */
    readonly replayCacheMaxEntries?: number;
  };
  /** Sent as `realm` in challenges (RFC 6750 §3). */
  readonly realm?: string;
  /** The URL of this resource's metadata, sent as `resource_metadata` in challenges (RFC 9728 §5.1). */
  readonly resourceMetadataUrl?: string;
  /** Timeout of each call to the issuer (metadata, JWKS, introspection), in ms. Default 5000. */
  readonly httpTimeoutMs?: number;
  /** Milliseconds since the epoch; for tests. Default Date.now. */
  readonly clock?: () => number;
}

export interface AccessTokenVerifier {
  /**
   * The caller, if the request carries a valid access token meeting `requirements`; else throws a ResourceError
   * (RFC 6750 §3). When the issuer cannot be reached (discovery, JWKS, introspection) the ResourceError is
   * `temporarily_unavailable` (503, not the token's fault: no error in the challenge); the failure is its `cause`.
   */
  verify(request: ResourceRequest, requirements?: Requirements): Promise<Principal>;
  /** Checks `requirements` against a principal verified earlier in the same request; throws a ResourceError. */
  authorize(principal: Principal, requirements?: Requirements): Principal;
  /** The WWW-Authenticate value for a request without credentials. */
  readonly challenge: string;
  readonly dpopAlgorithms: readonly string[];
  readonly schemes: readonly AuthScheme[];
}

const list = (value: string | readonly string[]): readonly string[] => (typeof value === 'string' ? [value] : value);

function checkAlgorithms(name: string, algorithms: readonly string[]): readonly string[] {
  const unsafe = algorithms.filter((alg) => alg === 'none' || /^HS/i.test(alg));
  if (unsafe.length > 0) throw new TypeError(`${name}: ${unsafe.join(', ')} may not be allowed (only asymmetric algs verify tokens from an issuer)`);
  if (algorithms.length === 0) throw new TypeError(`${name}: at least one alg is needed`);
  return algorithms;
}

/**
 * Builds a verifier for one issuer and audience. Keys and metadata are fetched on first use, not here.
 * @see https://www.rfc-editor.org/rfc/rfc6750#section-2
 */
export function createAccessTokenVerifier(options: AccessTokenVerifierOptions): AccessTokenVerifier {
  const issuer = options.issuer;
  const audience = list(options.audience);
  if (audience.length === 0) throw new TypeError('audience: at least one identifier is needed (RFC 9068 §4)');
  const algorithms = checkAlgorithms('algorithms', options.algorithms ?? DEFAULT_ALGORITHMS);
  const dpopAlgorithms = checkAlgorithms('dpop.algorithms', options.dpop?.algorithms ?? DEFAULT_ALGORITHMS);
  const clockSkewSeconds = options.clockSkewSeconds ?? 30;
  const timeoutMs = options.httpTimeoutMs ?? 5000;
  const now = options.clock ?? Date.now;
  const mode = options.dpop?.mode ?? 'allowed';
  const proofMaxAgeSeconds = options.dpop?.proofMaxAgeSeconds ?? 60;
  const schemes: readonly AuthScheme[] = mode === 'required' ? ['DPoP'] : mode === 'disabled' ? ['Bearer'] : ['Bearer', 'DPoP'];
  const replay = new BoundedCache<true>(options.dpop?.replayCacheMaxEntries ?? 100_000);
  const introspectionCache = new IntrospectionCache((options.introspectionCacheSeconds ?? 30) * 1000, options.introspectionCacheMaxEntries ?? 10_000);

  const metadata = once<AuthorizationServerMetadata>(() => discoverAuthorizationServer(issuer, timeoutMs));
  const remoteKeys = once<RemoteJWKSet>(async () => {
    const uri = options.jwksUri ?? (await metadata()).jwks_uri;
    if (uri === undefined) throw new Error('the issuer publishes no jwks_uri');
    return createRemoteJWKSet(new URL(uri), {
      cooldownDuration: (options.jwksRefreshCooldownSeconds ?? 30) * 1000,
      cacheMaxAge: (options.jwksMaxAgeSeconds ?? 600) * 1000,
      timeoutDuration: timeoutMs,
    });
  });
  const keys: JWTVerifyGetKey = async (header, token) => (await remoteKeys())(header, token);
  const introspectionEndpoint = once<string>(async () => {
    const endpoint = options.introspection?.endpoint ?? (await metadata()).introspection_endpoint;
    if (endpoint === undefined) throw new Error('the issuer publishes no introspection_endpoint');
    return endpoint;
  });

  const challengeFor = (failure?: { scheme: AuthScheme; code: ResourceErrorCode; description: string; scope?: readonly string[] }): string => {
    const order = failure === undefined ? schemes : [failure.scheme, ...schemes.filter((scheme) => scheme !== failure.scheme)];
    return order
      .map((scheme) =>
        formatChallenge(scheme, {
          ...(options.realm !== undefined && { realm: options.realm }),
          ...(failure?.scheme === scheme && { error: failure.code, errorDescription: failure.description, ...(failure.scope && { scope: failure.scope }) }),
          ...(options.resourceMetadataUrl !== undefined && { resourceMetadata: options.resourceMetadataUrl }),
          ...(scheme === 'DPoP' && { algs: dpopAlgorithms }),
        }),
      )
      .join(', ');
  };
  const refuse = (scheme: AuthScheme, code: ResourceErrorCode, description: string, extra: { scope?: readonly string[]; cause?: unknown } = {}) =>
    new ResourceError(code, description, challengeFor({ scheme, code, description, ...(extra.scope && { scope: extra.scope }) }), { cause: extra.cause });

  async function verifyToken(token: string, at: number): Promise<VerifiedToken> {
    if (looksLikeJwt(token)) return verifyJwtAccessToken(token, { issuer, algorithms, keys, clockSkewSeconds, now: at });
    if (options.introspection === undefined) throw new Rejection('invalid_token', 'the token is not a JWT and this resource does not introspect');
    const cached = introspectionCache.get(token, at);
    if (cached !== undefined) return cached;
    const verified = await introspectAccessToken(token, {
      endpoint: await introspectionEndpoint(),
      client: options.introspection,
      issuer,
      clockSkewSeconds,
      now: at,
      timeoutMs,
    });
    introspectionCache.set(token, verified, at);
    return verified;
  }

  /** Route checks, on a fresh principal or one an outer middleware already verified (so a proof is not replayed). */
  function authorize(principal: Principal, requirements: Requirements = {}): Principal {
    const wanted = requirements.audience === undefined ? audience : list(requirements.audience);
    if (!principal.audience.some((aud) => wanted.includes(aud))) {
      throw refuse(principal.tokenType, 'invalid_token', 'the token is not meant for this resource (aud)');
    }
    const missing = (requirements.scopes ?? []).filter((item) => !principal.scope.includes(item));
    if (missing.length > 0) {
      throw refuse(principal.tokenType, 'insufficient_scope', 'the token lacks a scope this request needs', { scope: requirements.scopes ?? [] });
    }
    return principal;
  }

  async function verify(request: ResourceRequest, requirements: Requirements = {}): Promise<Principal> {
    const credentials = readCredentials(request.headers, schemes);
    if (credentials.kind === 'none') throw new ResourceError(undefined, undefined, challengeFor()); // RFC 6750 §3.1: no error code
    if (credentials.kind === 'malformed') throw refuse(credentials.scheme, 'invalid_request', credentials.why);
    const { scheme, token } = credentials;
    const at = now();
    try {
      const verified = await verifyToken(token, at);
      // aud before the proof: a token for another resource is invalid_token whatever its proof says.
      const wanted = requirements.audience === undefined ? audience : list(requirements.audience);
      if (!verified.audience.some((aud) => wanted.includes(aud))) throw new Rejection('invalid_token', 'the token is not meant for this resource (aud)');
      if (verified.jkt !== undefined) {
        // RFC 9449 §7.2: a bound token is only good with a proof of its key.
        if (scheme === 'Bearer') throw new Rejection('invalid_token', 'the token is DPoP-bound: send it with the DPoP scheme and a proof');
        const proofs = headerValues(request.headers, 'dpop');
        const [proof] = proofs;
        if (proof === undefined) throw new Rejection('invalid_dpop_proof', 'the DPoP proof is missing');
        if (proofs.length > 1 || proof.includes(',')) throw new Rejection('invalid_dpop_proof', 'send exactly one DPoP proof');
        await verifyDpopProof(proof.trim(), {
          method: request.method.toUpperCase(),
          url: request.url,
          accessToken: token,
          jkt: verified.jkt,
          algorithms: dpopAlgorithms,
          maxAgeSeconds: proofMaxAgeSeconds,
          clockSkewSeconds,
          now: at,
          replay,
        });
      } else if (scheme === 'DPoP') {
        throw new Rejection('invalid_token', 'the token is not DPoP-bound: send it with the Bearer scheme');
      }
      return authorize({
        subject: verified.subject,
        clientId: verified.clientId,
        scope: verified.scope,
        audience: verified.audience,
        tokenType: verified.jkt === undefined ? 'Bearer' : 'DPoP',
        claims: verified.claims,
        expiresAt: verified.expiresAt,
        ...(verified.jkt !== undefined && { cnf: { jkt: verified.jkt } }),
      }, requirements);
    } catch (error) {
      if (error instanceof Rejection) throw refuse(scheme, error.code, error.description, { cause: error.cause ?? error });
      if (error instanceof ResourceError) throw error;
      // Discovery, JWKS or introspection failed or timed out: the issuer is unreachable or broken.
      throw new ResourceError('temporarily_unavailable', 'the authorization server could not be reached; try again later', challengeFor(), { cause: error });
    }
  }

  return { verify, authorize, challenge: challengeFor(), dpopAlgorithms, schemes };
}
