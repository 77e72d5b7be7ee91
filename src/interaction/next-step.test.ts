// OIDC Core §3.1.2.3-§3.1.2.4: when the person must sign in, choose an account or consent.
import { describe, expect, it } from 'vitest';
import type { AuthorizationRequest } from '../storage/records/authorization-request.js';
import type { Client } from '../storage/records/client.js';
import { nextStep } from './next-step.js';
import type { ActiveSession } from './sessions.js';

const request = (overrides: Partial<AuthorizationRequest> = {}): AuthorizationRequest => ({
  clientId: 'app',
  redirectUri: 'https://app.example/cb',
  redirectUriProvided: true,
  responseType: 'code',
  responseMode: 'query',
  scope: ['openid', 'profile'],
  prompt: [],
  uiLocales: [],
  acrValues: [],
  ...overrides,
});
const client = (skipConsent = false): Client =>
  ({ clientId: 'app', metadata: {}, policy: { accessTokenFormat: 'jwt', allowedLegacyGrants: [], skipConsent }, createdAt: 0, updatedAt: 0 }) as unknown as Client;
const active: ActiveSession = {
  session: { id: 's1', secretHash: 'h', subject: 'u1', authTime: 1_000_000, amr: ['pwd'], createdAt: 0, lastSeenAt: 0, expiresAt: 9e12 },
  user: { sub: 'u1', username: 'alice', emailVerified: false, profile: {}, disabled: false, createdAt: 0, updatedAt: 0 },
};
const now = 1_000_000 + 600_000;

describe('OIDC Core §3.1.2.3: authentication', () => {
  it('asks for a login without a session', () => {
    expect(nextStep({ request: request(), client: client(), consented: [], now })).toBe('login');
  });
  it('prompt=login asks again despite a session, but not after a login in this interaction', () => {
    expect(nextStep({ request: request({ prompt: ['login'] }), client: client(), active, consented: ['openid', 'profile'], now })).toBe('login');
    const interaction = { sessionId: 's1', accountConfirmed: true, loginRequested: false };
    expect(nextStep({ request: request({ prompt: ['login'] }), client: client(), active, interaction, consented: ['openid', 'profile'], now })).toBe('done');
  });
  it('max_age older than the last login asks for a login; younger does not', () => {
    expect(nextStep({ request: request({ maxAge: 300 }), client: client(), active, consented: ['openid', 'profile'], now })).toBe('login');
    expect(nextStep({ request: request({ maxAge: 900 }), client: client(), active, consented: ['openid', 'profile'], now })).toBe('done');
  });
  it('prompt=select_account shows the chooser until the account is confirmed or another chosen', () => {
    const r = request({ prompt: ['select_account'] });
    expect(nextStep({ request: r, client: client(), active, consented: ['openid', 'profile'], now })).toBe('select_account');
    expect(nextStep({ request: r, client: client(), active, interaction: { accountConfirmed: true, loginRequested: false }, consented: ['openid', 'profile'], now })).toBe('done');
    expect(nextStep({ request: r, client: client(), active, interaction: { accountConfirmed: false, loginRequested: true }, consented: ['openid', 'profile'], now })).toBe('login');
  });
});

describe('OIDC Core §3.1.2.4: consent', () => {
  it('is asked when scopes were not allowed before, and again when they grow', () => {
    expect(nextStep({ request: request(), client: client(), active, consented: [], now })).toBe('consent');
    expect(nextStep({ request: request(), client: client(), active, consented: ['openid', 'profile'], now })).toBe('done');
    expect(nextStep({ request: request({ scope: ['openid', 'profile', 'email'] }), client: client(), active, consented: ['openid', 'profile'], now })).toBe('consent');
    expect(nextStep({ request: request({ scope: ['openid'] }), client: client(), active, consented: ['openid', 'profile'], now })).toBe('done');
  });
  it('prompt=consent asks even when remembered; a first-party client (skipConsent) is not asked otherwise', () => {
    expect(nextStep({ request: request({ prompt: ['consent'] }), client: client(), active, consented: ['openid', 'profile'], now })).toBe('consent');
    expect(nextStep({ request: request(), client: client(true), active, consented: [], now })).toBe('done');
  });
});
