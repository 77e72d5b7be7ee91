// Client metadata validation: RFC 7591 §2 and §2.1, RFC 8252 §7.1, §7.3 and §8.3, OIDC Registration §2.
import { createPublicKey } from 'node:crypto';
import { invalidClientMetadata, invalidRedirectUri } from '../errors.js';
import { parseScope } from '../scope.js';
import type { ClientMetadata, TokenEndpointAuthMethod } from './client.js';

export interface MetadataValidationOptions {
  /** Legacy grants the client's policy allows (RFC 9700 §2.1.2, §2.4); any other in grant_types is refused. */
  readonly allowedLegacyGrants: readonly string[];
  /** Accept http jwks_uri on 127.0.0.1/[::1] (tests and local development). */
  readonly allowLoopbackJwksUri: boolean;
  /** The algorithms the server signs id_tokens with (OIDC Registration §2 id_token_signed_response_alg). */
  readonly idTokenSigningAlgs: readonly string[];
}

/** Bounds on what one registration may hold: a client is configuration, not storage. */
export const METADATA_LIMITS = {
  redirectUris: 20,
  uriLength: 2000,
  stringLength: 255,
  clientName: 200,
  contacts: 10,
  scopeLength: 2000,
  jwksKeys: 10,
  jwksBytes: 16_384,
  maxAgeSeconds: 366 * 86_400,
} as const;

export const TOKEN_ENDPOINT_AUTH_METHODS = ['client_secret_basic', 'client_secret_post', 'client_secret_jwt', 'private_key_jwt', 'none'] as const;

/** RFC 7523 §3 assertions: the algorithms accepted per method; `none` never, HMAC only with a shared secret. */
export const ASSERTION_SIGNING_ALGS = {
  private_key_jwt: ['RS256', 'PS256', 'ES256', 'EdDSA'],
  client_secret_jwt: ['HS256'],
} as const satisfies Partial<Record<TokenEndpointAuthMethod, readonly string[]>>;

const DEVICE_CODE = 'urn:ietf:params:oauth:grant-type:device_code';
const TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange'; // RFC 8693 §2.1
const GRANT_TYPES = new Set(['authorization_code', 'refresh_token', 'client_credentials', DEVICE_CODE, TOKEN_EXCHANGE, 'implicit', 'password']);
const LEGACY_GRANTS = new Set(['implicit', 'password']);
const REDIRECT_GRANTS = ['authorization_code', 'implicit'];
const RESPONSE_TYPE_PARTS = ['code', 'id_token', 'token'] as const; // canonical order of a combined response type
/** Schemes that execute or embed content: never a redirect target, whatever else is allowed. */
const DANGEROUS_SCHEMES = new Set(['javascript', 'data', 'vbscript', 'file', 'blob', 'about', 'filesystem']);
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f]/;
const PRIVATE_JWK_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

type Input = Readonly<Record<string, unknown>>;

/**
 * Validates registration metadata and fills the RFC 7591 §2 defaults. Unknown members are ignored (§2).
 * Throws invalid_redirect_uri or invalid_client_metadata with a description that names the field.
 * @see https://www.rfc-editor.org/rfc/rfc7591#section-2
 */
export function validateClientMetadata(body: unknown, options: MetadataValidationOptions): ClientMetadata {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw invalidClientMetadata('the client metadata must be a JSON object');
  const input = body as Input;

  const redirectUris = stringArray(input, 'redirect_uris', METADATA_LIMITS.redirectUris, METADATA_LIMITS.uriLength) ?? [];
  for (const uri of redirectUris) {
    const problem = redirectUriProblem(uri);
    if (problem !== undefined) throw invalidRedirectUri(`redirect_uris: ${describeUri(uri)} ${problem}`);
  }

  const explicitResponseTypes = stringArray(input, 'response_types', 8, 64)?.map(normalizeResponseType);
  const explicitGrantTypes = stringArray(input, 'grant_types', 10, 128);
  for (const grant of explicitGrantTypes ?? []) {
    if (!GRANT_TYPES.has(grant)) throw invalidClientMetadata(`grant_types: ${safe(grant)} is not a grant type this server supports`);
  }
  // RFC 7591 §2: grant_types defaults to authorization_code and response_types to code; we derive one from the
  // other when only one is given, so the defaults never contradict what the client did send.
  const grantTypes = unique(explicitGrantTypes ?? (explicitResponseTypes === undefined ? ['authorization_code'] : explicitResponseTypes.flatMap(grantsForResponseType)));
  const responseTypes = unique(explicitResponseTypes ?? (grantTypes.includes('authorization_code') ? ['code'] : []));
  checkGrantAndResponseTypes(grantTypes, responseTypes, options);
  if (grantTypes.some((grant) => REDIRECT_GRANTS.includes(grant)) && redirectUris.length === 0) {
    throw invalidRedirectUri('redirect_uris: at least one is required for the authorization_code and implicit grants');
  }

  const method = (string(input, 'token_endpoint_auth_method', 64) ?? 'client_secret_basic') as TokenEndpointAuthMethod;
  if (!(TOKEN_ENDPOINT_AUTH_METHODS as readonly string[]).includes(method)) {
    throw invalidClientMetadata(`token_endpoint_auth_method: must be one of ${TOKEN_ENDPOINT_AUTH_METHODS.join(', ')}`);
  }
  if (method === 'none' && grantTypes.includes('client_credentials')) {
    throw invalidClientMetadata('grant_types: client_credentials needs a confidential client (token_endpoint_auth_method other than none)');
  }
  const signingAlg = string(input, 'token_endpoint_auth_signing_alg', 16);
  if (signingAlg !== undefined) {
    const allowed: readonly string[] = method === 'private_key_jwt' || method === 'client_secret_jwt' ? ASSERTION_SIGNING_ALGS[method] : [];
    if (allowed.length === 0) throw invalidClientMetadata('token_endpoint_auth_signing_alg: only for private_key_jwt and client_secret_jwt');
    if (!allowed.includes(signingAlg)) throw invalidClientMetadata(`token_endpoint_auth_signing_alg: must be one of ${allowed.join(', ')} for ${method}`);
  }

  const jwksUri = uri(input, 'jwks_uri', { loopbackHttp: options.allowLoopbackJwksUri });
  const jwks = input.jwks === undefined || input.jwks === null ? undefined : validateJwks(input.jwks);
  if (jwks !== undefined && jwksUri !== undefined) throw invalidClientMetadata('jwks: must not be sent together with jwks_uri (RFC 7591 section 2)');
  if (method === 'private_key_jwt' && jwks === undefined && jwksUri === undefined) {
    throw invalidClientMetadata('jwks_uri: private_key_jwt needs the client public keys in jwks or jwks_uri');
  }

  const scope = string(input, 'scope', METADATA_LIMITS.scopeLength);
  if (scope !== undefined) {
    try {
      parseScope(scope);
    } catch {
      throw invalidClientMetadata('scope: must be space-separated scope tokens (RFC 6749 section 3.3)');
    }
  }

  const postLogout = stringArray(input, 'post_logout_redirect_uris', METADATA_LIMITS.redirectUris, METADATA_LIMITS.uriLength);
  for (const uri of postLogout ?? []) {
    const problem = redirectUriProblem(uri);
    if (problem !== undefined) throw invalidClientMetadata(`post_logout_redirect_uris: ${describeUri(uri)} ${problem}`);
  }

  const idTokenAlg = string(input, 'id_token_signed_response_alg', 16);
  if (idTokenAlg !== undefined && !options.idTokenSigningAlgs.includes(idTokenAlg)) {
    throw invalidClientMetadata(`id_token_signed_response_alg: must be one of ${options.idTokenSigningAlgs.join(', ')}`);
  }
  const subjectType = string(input, 'subject_type', 16);
  if (subjectType !== undefined && subjectType !== 'public') throw invalidClientMetadata('subject_type: only public is supported');
  const defaultMaxAge = integer(input, 'default_max_age', 0, METADATA_LIMITS.maxAgeSeconds);

  const metadata: ClientMetadata = {
    redirect_uris: redirectUris,
    grant_types: grantTypes,
    response_types: responseTypes,
    token_endpoint_auth_method: method,
    token_endpoint_auth_signing_alg: signingAlg,
    client_name: string(input, 'client_name', METADATA_LIMITS.clientName),
    client_uri: uri(input, 'client_uri', { loopbackHttp: true }),
    logo_uri: uri(input, 'logo_uri', { loopbackHttp: true }),
    scope: scope === undefined ? undefined : parseScope(scope).join(' '),
    contacts: stringArray(input, 'contacts', METADATA_LIMITS.contacts, 254),
    tos_uri: uri(input, 'tos_uri', { loopbackHttp: true }),
    policy_uri: uri(input, 'policy_uri', { loopbackHttp: true }),
    jwks,
    jwks_uri: jwksUri,
    software_id: string(input, 'software_id', METADATA_LIMITS.stringLength),
    software_version: string(input, 'software_version', METADATA_LIMITS.stringLength),
    post_logout_redirect_uris: postLogout,
    backchannel_logout_uri: uri(input, 'backchannel_logout_uri', { loopbackHttp: true }),
    backchannel_logout_session_required: boolean(input, 'backchannel_logout_session_required'),
    id_token_signed_response_alg: idTokenAlg,
    subject_type: subjectType as 'public' | undefined,
    default_max_age: defaultMaxAge,
    require_auth_time: boolean(input, 'require_auth_time'),
    require_pushed_authorization_requests: boolean(input, 'require_pushed_authorization_requests'),
    dpop_bound_access_tokens: boolean(input, 'dpop_bound_access_tokens'),
  };
  return Object.fromEntries(Object.entries(metadata).filter(([, value]) => value !== undefined)) as unknown as ClientMetadata;
}

/** RFC 6749 §3.1.2, RFC 8252 §7.1/§7.3/§8.3, RFC 9700 §4.1.3: why `raw` is not an acceptable redirect URI, if it is not. */
export function redirectUriProblem(raw: string): string | undefined {
  if (/\s/.test(raw) || CONTROL.test(raw)) return 'must not contain whitespace';
  if (raw.includes('*')) return 'must not contain wildcards (exact matching, RFC 9700 section 4.1.3)';
  if (raw.includes('#')) return 'must not contain a fragment (RFC 6749 section 3.1.2)';
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(raw)?.[1]?.toLowerCase();
  if (scheme === undefined) return 'must be an absolute URI';
  if (DANGEROUS_SCHEMES.has(scheme)) return `must not use the ${scheme}: scheme`;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'must be an absolute URI';
  }
  if (url.username !== '' || url.password !== '' || /^[a-z][a-z0-9+.-]*:\/\/[^/?]*@/i.test(raw)) return 'must not contain user credentials';
  if (scheme === 'https') return /^https:\/\/[^/?:]/i.test(raw) ? undefined : 'must be an absolute https URI with a host';
  if (scheme === 'http') {
    if (/^http:\/\/(127\.0\.0\.1|\[::1\])(?=[:/?]|$)/i.test(raw)) return undefined; // RFC 8252 §7.3: any port at request time
    if (url.hostname === 'localhost') return 'must use the loopback IP literal 127.0.0.1 or [::1], not localhost (RFC 8252 section 8.3)';
    return 'must use https; http is only for loopback redirects to 127.0.0.1 or [::1] (RFC 8252 section 7.3)';
  }
  if (!scheme.includes('.')) return 'must use https, a loopback http address, or a reverse-domain private-use scheme such as com.example.app: (RFC 8252 section 7.1)';
  return undefined;
}

function checkGrantAndResponseTypes(grantTypes: readonly string[], responseTypes: readonly string[], options: MetadataValidationOptions): void {
  for (const grant of grantTypes) {
    if (LEGACY_GRANTS.has(grant) && !options.allowedLegacyGrants.includes(grant)) {
      throw invalidClientMetadata(`grant_types: ${grant} is a legacy grant (RFC 9700 section 2.1.2, section 2.4) that this client is not allowed`);
    }
  }
  // RFC 7591 §2.1 and OIDC Registration §2: each response type needs its grant type, and each redirect grant a response type.
  for (const responseType of responseTypes) {
    for (const grant of grantsForResponseType(responseType)) {
      if (!grantTypes.includes(grant)) throw invalidClientMetadata(`response_types: ${responseType} needs ${grant} in grant_types (RFC 7591 section 2.1)`);
    }
  }
  if (grantTypes.includes('authorization_code') && !responseTypes.some((type) => type.split(' ').includes('code'))) {
    throw invalidClientMetadata('grant_types: authorization_code needs a response type with code in response_types (RFC 7591 section 2.1)');
  }
  if (grantTypes.includes('implicit') && !responseTypes.some((type) => /(^| )(token|id_token)( |$)/.test(type))) {
    throw invalidClientMetadata('grant_types: implicit needs a response type with token or id_token in response_types (RFC 7591 section 2.1)');
  }
}

/** "token code" and "code token" are the same response type (RFC 6749 §3.1.1); keep one canonical spelling. */
function normalizeResponseType(value: string): string {
  const parts = value.split(' ');
  if (parts.length === 0 || parts.some((part) => !(RESPONSE_TYPE_PARTS as readonly string[]).includes(part)) || new Set(parts).size !== parts.length) {
    throw invalidClientMetadata(`response_types: ${safe(value)} is not a supported response type`);
  }
  return RESPONSE_TYPE_PARTS.filter((part) => parts.includes(part)).join(' ');
}

function grantsForResponseType(responseType: string): string[] {
  const parts = responseType.split(' ');
  return [...(parts.includes('code') ? ['authorization_code'] : []), ...(parts.includes('token') || parts.includes('id_token') ? ['implicit'] : [])];
}

function validateJwks(value: unknown): ClientMetadata['jwks'] {
  const keys = (value as { keys?: unknown } | null)?.keys;
  if (typeof value !== 'object' || Array.isArray(value) || !Array.isArray(keys)) throw invalidClientMetadata('jwks: must be a JWK Set object with a keys array (RFC 7517 section 5)');
  if (keys.length === 0 || keys.length > METADATA_LIMITS.jwksKeys) throw invalidClientMetadata(`jwks: must hold from 1 to ${METADATA_LIMITS.jwksKeys} keys`);
  if (JSON.stringify(value).length > METADATA_LIMITS.jwksBytes) throw invalidClientMetadata(`jwks: must be at most ${METADATA_LIMITS.jwksBytes} bytes`);
  for (const key of keys as unknown[]) {
    if (typeof key !== 'object' || key === null || Array.isArray(key)) throw invalidClientMetadata('jwks: every key must be a JWK object');
    const jwk = key as Record<string, unknown>;
    if (jwk.kty === 'oct') throw invalidClientMetadata('jwks: symmetric (oct) keys must not be registered');
    if (PRIVATE_JWK_MEMBERS.some((member) => member in jwk)) throw invalidClientMetadata('jwks: must hold public keys only (a key has private members)');
    if (jwk.kty !== 'RSA' && jwk.kty !== 'EC' && jwk.kty !== 'OKP') throw invalidClientMetadata('jwks: kty must be RSA, EC or OKP');
    let details: { modulusLength?: number } | undefined;
    try {
      details = createPublicKey({ key: jwk as never, format: 'jwk' }).asymmetricKeyDetails;
    } catch {
      throw invalidClientMetadata('jwks: a key is not a valid public JWK');
    }
    if (jwk.kty === 'RSA' && (details?.modulusLength ?? 0) < 2048) throw invalidClientMetadata('jwks: RSA keys must be at least 2048 bits');
  }
  return { keys: keys as Record<string, unknown>[] };
}

// ---- typed readers: each names its field in the error -------------------------------------------------

function present(input: Input, field: string): unknown {
  const value = input[field];
  return value === null ? undefined : value; // RFC 7592 §2.2: null is the same as omitted
}

function string(input: Input, field: string, maxLength: number): string | undefined {
  const value = present(input, field);
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw invalidClientMetadata(`${field}: must be a string`);
  if (value.length === 0 || value.length > maxLength) throw invalidClientMetadata(`${field}: must be 1 to ${maxLength} characters`);
  if (CONTROL.test(value)) throw invalidClientMetadata(`${field}: must not contain control characters`);
  return value;
}

function stringArray(input: Input, field: string, maxItems: number, maxLength: number): string[] | undefined {
  const value = present(input, field);
  if (value === undefined) return undefined;
  if (!Array.isArray(value)) throw invalidClientMetadata(`${field}: must be an array of strings`);
  if (value.length > maxItems) throw invalidClientMetadata(`${field}: at most ${maxItems} values`);
  const strings = value.map((item) => {
    if (typeof item !== 'string') throw invalidClientMetadata(`${field}: must be an array of strings`);
    if (item.length === 0 || item.length > maxLength) throw invalidClientMetadata(`${field}: each value must be 1 to ${maxLength} characters`);
    if (CONTROL.test(item)) throw invalidClientMetadata(`${field}: must not contain control characters`);
    return item;
  });
  return unique(strings);
}

function boolean(input: Input, field: string): boolean | undefined {
  const value = present(input, field);
  if (value === undefined) return undefined;
  if (typeof value !== 'boolean') throw invalidClientMetadata(`${field}: must be true or false`);
  return value;
}

function integer(input: Input, field: string, min: number, max: number): number | undefined {
  const value = present(input, field);
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) throw invalidClientMetadata(`${field}: must be a whole number from ${min} to ${max}`);
  return value;
}

/** A web URL in metadata (client_uri, logo_uri, jwks_uri, …): https, or http on a loopback IP when allowed; no fragment. */
function uri(input: Input, field: string, options: { loopbackHttp: boolean }): string | undefined {
  const value = string(input, field, METADATA_LIMITS.uriLength);
  if (value === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw invalidClientMetadata(`${field}: must be an absolute URL`);
  }
  const loopback = /^http:\/\/(127\.0\.0\.1|\[::1\])(?=[:/?]|$)/i.test(value);
  if (!/^https:\/\/[^/?:]/i.test(value) && !(options.loopbackHttp && loopback)) throw invalidClientMetadata(`${field}: must be an https URL`);
  if (value.includes('#')) throw invalidClientMetadata(`${field}: must not contain a fragment`);
  if (url.username !== '' || url.password !== '') throw invalidClientMetadata(`${field}: must not contain user credentials`);
  return value;
}

const unique = (values: readonly string[]): string[] => [...new Set(values)];

/** Values echoed in descriptions stay safe ASCII (RFC 6749 §5.2 excludes " and \). */
function safe(value: string): string {
  return /^[\x20-\x21\x23-\x5b\x5d-\x7e]{1,80}$/.test(value) ? value : '(a value)';
}

function describeUri(value: string): string {
  return safe(value.length > 80 ? `${value.slice(0, 77)}...` : value);
}
