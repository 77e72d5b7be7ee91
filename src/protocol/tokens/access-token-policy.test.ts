// What an access token looks like for its audience (RFC 8707 §2, RFC 9068), and when a refresh token comes along.
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../config/load-config.js';
import type { Client } from '../clients/client.js';
import { accessTokenPolicy } from './access-token-policy.js';
import { shouldIssueRefreshToken } from './refresh-token-policy.js';

const config = loadConfig({
  env: {
    LATCHKEY_ISSUER: 'https://auth.example.com',
    LATCHKEY_RESOURCES: JSON.stringify([
      { uri: 'https://a.example', scopes: ['a'], accessTokenFormat: 'jwt', accessTokenTtlSeconds: 60 },
      { uri: 'https://b.example', scopes: ['b'], accessTokenFormat: 'opaque' },
      { uri: 'https://c.example', scopes: ['c'] },
      { uri: 'https://any.example' },
    ]),
  },
});

const client = (policy: Partial<Client['policy']> = {}, grantTypes = ['authorization_code', 'refresh_token']): Client => ({
  clientId: 'app',
  metadata: { redirect_uris: [], grant_types: grantTypes, response_types: [], token_endpoint_auth_method: 'client_secret_basic' },
  policy: { accessTokenFormat: 'opaque', allowedLegacyGrants: [], ...policy },
  createdAt: 0,
  updatedAt: 0,
});

describe('RFC 8707 §2: the access token follows its audience', () => {
  it('without a resource: the default audience, the client\'s format and lifetime, every scope', () => {
    expect(accessTokenPolicy(client({ accessTokenTtlSeconds: 300 }), [], ['a', 'x'], config)).toEqual({
      audience: ['https://auth.example.com'],
      format: 'opaque',
      ttlSeconds: 300,
      scope: ['a', 'x'],
    });
  });

  it('a resource\'s format wins over the client\'s, its lifetime caps, and only the scopes it accepts remain', () => {
    expect(accessTokenPolicy(client(), ['https://a.example'], ['a', 'b', 'openid'], config)).toEqual({
      audience: ['https://a.example'],
      format: 'jwt',
      ttlSeconds: 60,
      scope: ['a'],
    });
  });

  it('several resources: the union of their scopes, the shortest lifetime; a resource that lists no scopes accepts all', () => {
    expect(accessTokenPolicy(client(), ['https://a.example', 'https://c.example'], ['a', 'c', 'x'], config).scope).toEqual(['a', 'c']);
    expect(accessTokenPolicy(client(), ['https://c.example', 'https://any.example'], ['a', 'c', 'x'], config).scope).toEqual(['a', 'c', 'x']);
  });

  it('resources that need different formats cannot share one token: invalid_target', () => {
    expect(() => accessTokenPolicy(client(), ['https://a.example', 'https://b.example'], [], config)).toThrow(expect.objectContaining({ code: 'invalid_target' }));
  });
});

describe('RFC 6749 §6, OIDC Core §11: when a refresh token is issued', () => {
  it('for offline_access, or when the client\'s policy says so, and only to clients registered for refresh_token', () => {
    expect(shouldIssueRefreshToken(client(), ['openid', 'offline_access'])).toBe(true);
    expect(shouldIssueRefreshToken(client(), ['openid'])).toBe(false);
    expect(shouldIssueRefreshToken(client({ alwaysIssueRefreshToken: true }), ['openid'])).toBe(true);
    expect(shouldIssueRefreshToken(client({ alwaysIssueRefreshToken: true }, ['authorization_code']), ['offline_access'])).toBe(false);
  });
});
