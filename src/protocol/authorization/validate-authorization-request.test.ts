// RFC 6749 §4.1.1, RFC 7636 §4.3, OIDC Core §3.1.2.1: the parameter rules of the authorization request.
import { describe, expect, it } from 'vitest';
import type { Config } from '../../config/config.js';
import type { Client } from '../clients/client.js';
import { resolveRedirectUri } from './resolve-client-and-redirect-uri.js';
import { validateAuthorizationRequest } from './validate-authorization-request.js';

const client = (overrides: Partial<Client['metadata']> = {}): Client => ({
  clientId: 'app',
  metadata: {
    redirect_uris: ['https://app.example/cb'],
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
    ...overrides,
  },
  policy: { accessTokenFormat: 'jwt', allowedLegacyGrants: [] },
  createdAt: 0,
  updatedAt: 0,
});

const config = (pkceRequired: 'all' | 'public' = 'all') =>
  ({ authorization: { pkceRequired }, resources: [{ uri: 'https://api.example.com' }] }) as unknown as Pick<Config, 'authorization' | 'resources'>;
const CHALLENGE = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM';
const base = { response_type: 'code', client_id: 'app', redirect_uri: 'https://app.example/cb', code_challenge: CHALLENGE, code_challenge_method: 'S256' };

/** Undefined means "leave the parameter out". */
const defined = (params: Record<string, unknown>) => Object.fromEntries(Object.entries(params).filter(([, value]) => value !== undefined));
const validate = (params: Record<string, unknown>, c = client(), pkce: 'all' | 'public' = 'all') =>
  validateAuthorizationRequest({ client: c, redirectUri: 'https://app.example/cb', redirectUriProvided: true, params: defined(params) }, config(pkce));

describe('RFC 6749 §4.1.1: the authorization request', () => {
  it('accepts a complete OpenID Connect request and keeps every parameter', () => {
    const request = validate({ ...base, scope: 'openid profile', state: 'a b&c=é', nonce: 'n', prompt: 'login consent', max_age: '300', login_hint: 'alice', ui_locales: 'fr en', acr_values: '1', response_mode: 'form_post', claims: '{"userinfo":{}}' });
    expect(request).toEqual({
      clientId: 'app',
      redirectUri: 'https://app.example/cb',
      redirectUriProvided: true,
      responseType: 'code',
      responseMode: 'form_post',
      scope: ['openid', 'profile'],
      state: 'a b&c=é',
      nonce: 'n',
      codeChallenge: CHALLENGE,
      prompt: ['login', 'consent'],
      maxAge: 300,
      loginHint: 'alice',
      uiLocales: ['fr', 'en'],
      acrValues: ['1'],
    });
  });

  it.each([
    ['§3.1: a repeated parameter', { scope: ['openid', 'openid'] }, 'invalid_request'],
    ['§3.1.1: a missing response_type', { response_type: undefined }, 'invalid_request'],
    ['§3.1.1: response_type=token (not issued here)', { response_type: 'token' }, 'unsupported_response_type'],
    ['§3.1.1: a nonsense response_type', { response_type: 'bogus' }, 'invalid_request'],
    ['§3.3: a scope the client may not ask for', { scope: 'openid admin' }, 'invalid_scope'],
    ['Form Post §2: an unknown response_mode', { response_mode: 'web_message' }, 'invalid_request'],
    ['RFC 7636 §4.3: no code_challenge (required for every client by default)', { code_challenge: undefined, code_challenge_method: undefined }, 'invalid_request'],
    ['RFC 7636 §4.3: code_challenge_method=plain', { code_challenge_method: 'plain' }, 'invalid_request'],
    ['RFC 7636 §4.3: code_challenge without method (means plain)', { code_challenge_method: undefined }, 'invalid_request'],
    ['RFC 7636 §4.2: a malformed code_challenge', { code_challenge: 'short' }, 'invalid_request'],
    ['OIDC §3.1.2.1: prompt=none with login', { prompt: 'none login' }, 'invalid_request'],
    ['OIDC §3.1.2.1: an unknown prompt', { prompt: 'create' }, 'invalid_request'],
    ['OIDC §3.1.2.1: a negative max_age', { max_age: '-1' }, 'invalid_request'],
    ['OIDC §6.1: a request object', { request: 'eyJ...' }, 'request_not_supported'],
    ['OIDC §6.2: a request_uri that is not from PAR', { request_uri: 'https://app.example/req.jwt' }, 'request_uri_not_supported'],
    ['OIDC Registration: the registration parameter', { registration: '{}' }, 'registration_not_supported'],
  ])('rejects %s', (_name, change, code) => {
    expect(() => validate({ ...base, ...change })).toThrow(expect.objectContaining({ code }));
  });

  it('RFC 6749 §4.1.1: refuses a client not registered for the code flow with unauthorized_client', () => {
    expect(() => validate(base, client({ grant_types: ['client_credentials'] }))).toThrow(expect.objectContaining({ code: 'unauthorized_client' }));
  });

  it('RFC 7636 §4.4.1: a public client must use PKCE even when the server asks it only of public clients', () => {
    const confidential = client();
    const publicClient = client({ token_endpoint_auth_method: 'none' });
    const withoutPkce = { ...base, code_challenge: undefined, code_challenge_method: undefined };
    expect(validate(withoutPkce, confidential, 'public').codeChallenge).toBeUndefined();
    expect(() => validate(withoutPkce, publicClient, 'public')).toThrow(expect.objectContaining({ code: 'invalid_request' }));
  });

  it('OIDC Registration §2: default_max_age applies when the request has no max_age', () => {
    expect(validate(base, client({ default_max_age: 60 })).maxAge).toBe(60);
  });
});

describe('RFC 6749 §3.1.2.3: the redirect URI', () => {
  it('is compared as an exact string with the registered ones', () => {
    expect(() => resolveRedirectUri(client(), { redirect_uri: 'https://app.example/cb/' })).toThrow(expect.objectContaining({ code: 'invalid_request' }));
    expect(() => resolveRedirectUri(client(), { redirect_uri: 'https://APP.example/cb' })).toThrow();
    expect(resolveRedirectUri(client(), { redirect_uri: 'https://app.example/cb' })).toEqual({ redirectUri: 'https://app.example/cb', redirectUriProvided: true });
  });

  it('RFC 8252 §7.3: a loopback redirect URI may use any port; path, query and host must still match', () => {
    const native = client({ redirect_uris: ['http://127.0.0.1/cb', 'http://[::1]:8080/cb?x=1'] });
    expect(resolveRedirectUri(native, { redirect_uri: 'http://127.0.0.1:53127/cb' }).redirectUri).toBe('http://127.0.0.1:53127/cb');
    expect(resolveRedirectUri(native, { redirect_uri: 'http://[::1]:9/cb?x=1' }).redirectUri).toBe('http://[::1]:9/cb?x=1');
    for (const uri of ['http://127.0.0.1:53127/cb/', 'http://127.0.0.2:1/cb', 'http://[::1]:9/cb', 'http://localhost:53127/cb', 'https://127.0.0.1:1/cb']) {
      expect(() => resolveRedirectUri(native, { redirect_uri: uri }), uri).toThrow();
    }
  });

  it('may be omitted only with exactly one registered and no openid scope (OIDC Core §3.1.2.1)', () => {
    expect(resolveRedirectUri(client(), { scope: 'profile' })).toEqual({ redirectUri: 'https://app.example/cb', redirectUriProvided: false });
    expect(() => resolveRedirectUri(client(), { scope: 'openid' })).toThrow();
    expect(() => resolveRedirectUri(client({ redirect_uris: ['https://app.example/a', 'https://app.example/b'] }), {})).toThrow();
  });
});

describe('RFC 8707 §2: resource at the authorization endpoint', () => {
  it('keeps a configured resource as the grant audience', () => {
    expect(validate({ ...base, scope: 'openid', nonce: 'n', resource: 'https://api.example.com' }).resources).toEqual(['https://api.example.com']);
  });
  it('refuses an unknown resource with invalid_target', () => {
    expect(() => validate({ ...base, scope: 'openid', nonce: 'n', resource: 'https://unknown.example.com' })).toThrow(expect.objectContaining({ code: 'invalid_target' }));
  });
  it('names no resource when none is sent', () => {
    expect(validate({ ...base, scope: 'openid', nonce: 'n' }).resources).toBeUndefined();
  });
});
