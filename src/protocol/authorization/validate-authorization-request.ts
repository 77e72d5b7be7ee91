// Validating an authorization request once client and redirect URI are known: RFC 6749 §4.1.1 and §3.3,
// RFC 7636 §4.3, OIDC Core §3.1.2.1-§3.1.2.2 and §3.2.2.1, RFC 6749 §4.2.1 (implicit, opt-in), OAuth 2.0 Multiple
// Response Types §2.1 and §5, Form Post Response Mode §2.
import type { Config } from '../../config/config.js';
import { isPublicClient, type Client } from '../clients/client.js';
import { invalidRequest, invalidScope, OAuthError } from '../errors.js';
import { Params } from '../params.js';
import { validateCodeChallenge } from '../pkce/validate-code-challenge.js';
import { parseScope } from '../scope.js';
import {
  PROMPTS,
  PUSHED_REQUEST_URI_PREFIX,
  RESPONSE_MODES,
  STANDARD_SCOPES,
  type AuthorizationRequest,
  type ImplicitResponseType,
  type Prompt,
  type ResponseMode,
} from './authorization-request.js';
import type { RawParams } from './resolve-client-and-redirect-uri.js';
import { resolveResources } from '../resource-indicators/resolve-resources.js';

const MAX_LENGTH = { state: 2048, nonce: 512, login_hint: 256, ui_locales: 256, acr_values: 256 } as const;

/** Response types defined somewhere (RFC 6749, OAuth 2.0 Multiple Response Types) that Latchkey does not issue. */
const KNOWN_RESPONSE_TYPES = new Set(['token', 'id_token', 'none', 'code id_token', 'code token', 'id_token token', 'code id_token token']);

/** The scopes a client may ask for: what it registered, else the standard ones. */
export function allowedScopes(client: Client): readonly string[] {
  return client.metadata.scope === undefined ? STANDARD_SCOPES : parseScope(client.metadata.scope);
}

function parsePrompt(value: string | undefined): Prompt[] {
  const prompts = [...new Set((value ?? '').split(' ').filter((p) => p !== ''))];
  for (const prompt of prompts) {
    if (!(PROMPTS as readonly string[]).includes(prompt)) throw invalidRequest('prompt has an unsupported value');
  }
  // OIDC Core §3.1.2.1: none with any other value is an error.
  if (prompts.includes('none') && prompts.length > 1) throw invalidRequest('prompt=none cannot be combined with other values');
  return prompts as Prompt[];
}

function parseMaxAge(value: string | undefined, client: Client): number | undefined {
  if (value === undefined) return client.metadata.default_max_age; // OIDC Registration §2
  if (!/^\d{1,9}$/.test(value)) throw invalidRequest('max_age must be a non-negative number of seconds');
  return Number(value);
}

function bounded(params: Params, name: keyof typeof MAX_LENGTH): string | undefined {
  const value = params.optional(name);
  if (value !== undefined && value.length > MAX_LENGTH[name]) throw invalidRequest(`${name} is too long`);
  return value;
}

export interface ValidationInput {
  readonly client: Client;
  readonly redirectUri: string;
  readonly redirectUriProvided: boolean;
  readonly params: RawParams;
}

/**
 * Checks every parameter and returns the request to keep while the person signs in. Throws OAuthError; the caller
 * decides whether it may be redirected.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.1
 * @see https://openid.net/specs/openid-connect-core-1_0.html#AuthRequest
 */
/** Config the validation reads; legacyGrants absent means the implicit grant is off. */
export type ValidationConfig = Pick<Config, 'authorization' | 'resources'> & { readonly legacyGrants?: Config['legacyGrants'] };

const IMPLICIT_RESPONSE_TYPES: readonly ImplicitResponseType[] = ['token', 'id_token token', 'id_token'];
const canonical = (type: string): string => type.split(' ').filter((t) => t !== '').sort().join(' ');

/**
 * RFC 6749 §3.1.1: code, or (server-wide on AND allowed in the client's policy, RFC 9700 §2.1.2) an implicit response type.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.2.1
 */
function implicitOrCode(responseType: string | undefined, client: Client, config: ValidationConfig): 'code' | ImplicitResponseType {
  if (responseType === undefined) throw invalidRequest('response_type is required');
  if (responseType === 'code') {
    if (!client.metadata.response_types.includes('code') || !client.metadata.grant_types.includes('authorization_code')) {
      throw new OAuthError('unauthorized_client', 'the client is not registered for the authorization code flow');
    }
    return 'code';
  }
  const normalized = canonical(responseType);
  const implicit = IMPLICIT_RESPONSE_TYPES.find((type) => canonical(type) === normalized);
  if (implicit !== undefined && config.legacyGrants?.implicit === true) {
    const allowed = client.policy.allowedLegacyGrants.includes('implicit') && client.metadata.grant_types.includes('implicit') && client.metadata.response_types.includes(implicit);
    if (!allowed) throw new OAuthError('unauthorized_client', 'the client is not allowed to use the implicit grant');
    return implicit;
  }
  const known = [...KNOWN_RESPONSE_TYPES].some((t) => canonical(t) === normalized);
  throw new OAuthError(known ? 'unsupported_response_type' : 'invalid_request', known ? 'only response_type=code is supported' : 'response_type is not valid');
}

export function validateAuthorizationRequest(input: ValidationInput, config: ValidationConfig): AuthorizationRequest {
  const { client } = input;
  const params = Params.from(input.params); // RFC 6749 §3.1: repeated parameters are invalid_request

  // OIDC Core §6 request objects and dynamic registration parameters are not supported (discovery says so).
  if (params.has('request')) throw new OAuthError('request_not_supported', 'request objects are not supported');
  const requestUri = params.optional('request_uri');
  if (requestUri !== undefined && !requestUri.startsWith(PUSHED_REQUEST_URI_PREFIX)) {
    throw new OAuthError('request_uri_not_supported', 'only request_uri values from the pushed authorization request endpoint are accepted');
  }
  if (params.has('registration')) throw new OAuthError('registration_not_supported', 'the registration parameter is not supported');

  const responseType = implicitOrCode(params.optional('response_type'), client, config);

  const responseModeParam = params.optional('response_mode');
  if (responseModeParam !== undefined && !(RESPONSE_MODES as readonly string[]).includes(responseModeParam)) {
    throw invalidRequest('response_mode must be query, fragment or form_post');
  }
  // Multiple Response Types §2.1: tokens are never sent in the query, so the implicit grant defaults to the fragment.
  if (responseType !== 'code' && responseModeParam === 'query') throw invalidRequest('response_mode=query cannot carry tokens; use fragment or form_post');
  const responseMode = (responseModeParam ?? (responseType === 'code' ? 'query' : 'fragment')) as ResponseMode;

  const scope = parseScope(params.optional('scope'));
  const allowed = allowedScopes(client);
  const unknown = scope.filter((s) => !allowed.includes(s));
  if (unknown.length > 0) throw invalidScope('the client may not request one or more of these scopes');

  // PKCE protects the code (RFC 7636); the implicit grant has none.
  const codeChallenge =
    responseType === 'code'
      ? validateCodeChallenge(params.optional('code_challenge'), params.optional('code_challenge_method'), { isPublic: isPublicClient(client) }, config.authorization.pkceRequired)
      : undefined;

  const prompt = parsePrompt(params.optional('prompt'));
  const maxAge = parseMaxAge(params.optional('max_age'), client);
  const state = bounded(params, 'state');
  const nonce = bounded(params, 'nonce');
  if (responseType.includes('id_token')) {
    // OIDC Core §3.2.2.1: nonce is REQUIRED, and an ID Token is only for OpenID requests.
    if (nonce === undefined) throw invalidRequest('nonce is required when an id_token is returned from the authorization endpoint');
    if (!scope.includes('openid')) throw invalidScope('response_type with id_token needs the openid scope');
  }
  const dpopJkt = params.optional('dpop_jkt');
  // RFC 9449 §10: a JWK SHA-256 thumbprint (RFC 7638), base64url without padding.
  if (dpopJkt !== undefined && !/^[A-Za-z0-9_-]{43}$/.test(dpopJkt)) throw invalidRequest('dpop_jkt must be a base64url SHA-256 JWK thumbprint');
  const loginHint = bounded(params, 'login_hint');
  const list = (name: 'ui_locales' | 'acr_values'): string[] => (bounded(params, name) ?? '').split(' ').filter((v) => v !== '');
  // RFC 8707 §2: `resource` names the audience of the grant's tokens; unknown → invalid_target (to the client).
  // One per request: a repeated parameter is refused like any other (RFC 6749 §3.1).
  const resource = params.optional('resource');
  const resources = resolveResources(resource === undefined ? [] : [resource], config);
  // `claims` (OIDC Core §5.5), `id_token_hint` and `display` are accepted and not acted on:
  // discovery says claims_parameter_supported is false, so a client cannot rely on them.

  return {
    clientId: client.clientId,
    redirectUri: input.redirectUri,
    redirectUriProvided: input.redirectUriProvided,
    responseType,
    responseMode,
    scope,
    ...(resources.length > 0 && { resources }),
    ...(state !== undefined && { state }),
    ...(nonce !== undefined && { nonce }),
    ...(codeChallenge !== undefined && { codeChallenge }),
    ...(dpopJkt !== undefined && { dpopJkt }),
    prompt,
    ...(maxAge !== undefined && { maxAge }),
    ...(loginHint !== undefined && { loginHint }),
    uiLocales: list('ui_locales'),
    acrValues: list('acr_values'),
  };
}
