// Storage for users, sessions, consent, login throttling, interactions, codes and pushed requests (migration 0005).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createPostgresDatabase, describePostgres } from '../../../test/support/postgres.js';
import { openStorage } from '../open-storage.js';
import type { AuthorizationCodeRecord } from '../records/authorization-code.js';
import type { InteractionRecord } from '../records/authorization-request.js';
import type { UserRecord } from '../records/user.js';
import type { Storage } from '../storage.js';

const aUser = (overrides: Partial<UserRecord> = {}): UserRecord => ({
  sub: 'sub-1',
  username: 'alice',
  email: 'Alice@Example.com',
  emailVerified: true,
  profile: { name: 'Alice Liddell', address: { country: 'UK' } },
  passwordHash: '$argon2id$…',
  disabled: false,
  createdAt: 1,
  updatedAt: 1,
  ...overrides,
});

const aCode = (overrides: Partial<AuthorizationCodeRecord> = {}): AuthorizationCodeRecord => ({
  hash: 'h1',
  clientId: 'c1',
  grantId: 'g1',
  subject: 'sub-1',
  redirectUri: 'https://app.example/cb',
  redirectUriProvided: true,
  codeChallenge: 'x'.repeat(43),
  nonce: 'n',
  scope: ['openid', 'profile'],
  authTime: 1000,
  amr: ['pwd'],
  sessionId: 's1',
  createdAt: 1000,
  expiresAt: 61_000,
  ...overrides,
});

const anInteraction = (overrides: Partial<InteractionRecord> = {}): InteractionRecord => ({
  id: 'i1',
  bindingHash: 'b',
  csrfToken: 'csrf',
  request: {
    clientId: 'c1',
    redirectUri: 'https://app.example/cb',
    redirectUriProvided: true,
    responseType: 'code',
    responseMode: 'query',
    scope: ['openid'],
    state: 'st',
    prompt: [],
    uiLocales: [],
    acrValues: [],
  },
  accountConfirmed: false,
  loginRequested: false,
  createdAt: 0,
  expiresAt: 100,
  ...overrides,
});

export function usersAndSessionsContract(name: string, open: () => Promise<Storage>): void {
  describe(`${name}: users, sessions and authorization state`, () => {
    let storage: Storage;
    beforeEach(async () => {
      storage = await open();
    });
    afterEach(async () => {
      await storage.close();
    });

    it('OIDC Core §5.1: stores a user with the standard claims and finds it by sub, username and email (case-insensitive)', async () => {
      expect(await storage.users.create(aUser())).toBe('created');
      expect(await storage.users.find('sub-1')).toEqual(aUser());
      expect((await storage.users.findByUsername('alice'))?.sub).toBe('sub-1');
      expect((await storage.users.findByEmail('alice@example.COM'))?.sub).toBe('sub-1');
      expect(await storage.users.create(aUser({ sub: 'sub-2' }))).toBe('username_taken');
      expect(await storage.users.create(aUser({ sub: 'sub-2', username: 'bob', email: 'ALICE@example.com' }))).toBe('email_taken');
      expect(await storage.users.create(aUser({ sub: 'sub-3', username: 'carol', email: undefined }))).toBe('created');
      expect(await storage.users.create(aUser({ sub: 'sub-4', username: 'dave', email: undefined }))).toBe('created');
      expect((await storage.users.list()).map((u) => u.username)).toEqual(['alice', 'carol', 'dave']);
      expect(await storage.users.update(aUser({ sub: 'sub-3', username: 'carol', email: 'alice@example.com' }))).toBe('email_taken');
      expect(await storage.users.update(aUser({ disabled: true, updatedAt: 2 }))).toBe('updated');
      expect((await storage.users.find('sub-1'))?.disabled).toBe(true);
      expect(await storage.users.delete('sub-1')).toBe(true);
      expect(await storage.users.find('sub-1')).toBeUndefined();
    });

    it('sessions are found by the hash of their secret and end by id or by user', async () => {
      const session = { id: 's1', secretHash: 'sh', subject: 'sub-1', authTime: 5, amr: ['pwd'], createdAt: 5, lastSeenAt: 5, expiresAt: 500 };
      await storage.sessions.create(session);
      expect(await storage.sessions.findBySecretHash('sh')).toEqual(session);
      await storage.sessions.touch('s1', 50);
      expect((await storage.sessions.find('s1'))?.lastSeenAt).toBe(50);
      expect(await storage.sessions.deleteBySubject('sub-1')).toBe(1);
      expect(await storage.sessions.find('s1')).toBeUndefined();
    });

    it('consent is remembered as the union of the scopes allowed', async () => {
      expect(await storage.consents.find('sub-1', 'c1')).toEqual([]);
      await storage.consents.remember('sub-1', 'c1', ['openid', 'profile'], 1);
      await storage.consents.remember('sub-1', 'c1', ['email'], 2);
      expect([...(await storage.consents.find('sub-1', 'c1'))].sort()).toEqual(['email', 'openid', 'profile']);
      await storage.consents.forget('sub-1', 'c1');
      expect(await storage.consents.find('sub-1', 'c1')).toEqual([]);
    });

    it('Issue #9 §6: consents given at once (two tabs, two processes) all count: none is lost', async () => {
      const scopes = Array.from({ length: 10 }, (_, i) => `scope-${i}`);
      await Promise.all(scopes.map((scope, i) => storage.consents.remember('sub-race', 'c1', [scope], i)));
      expect([...(await storage.consents.find('sub-race', 'c1'))].sort()).toEqual(scopes);
    });

    it('login failures are counted atomically and start again after the window', async () => {
      await Promise.all([1, 2, 3].map(() => storage.loginThrottle.recordFailure('account:alice', 1000, 60_000)));
      expect(await storage.loginThrottle.find(['account:alice', 'ip:1'])).toEqual([{ key: 'account:alice', failures: 3, lastFailureAt: 1000 }]);
      await storage.loginThrottle.recordFailure('account:alice', 100_000, 60_000);
      expect((await storage.loginThrottle.find(['account:alice']))[0]?.failures).toBe(1);
      await storage.loginThrottle.clear('account:alice');
      expect(await storage.loginThrottle.find(['account:alice'])).toEqual([]);
    });

    it('an interaction records progress and is finished by exactly one of two racing callers', async () => {
      await storage.interactions.create(anInteraction());
      expect(await storage.interactions.find('i1')).toEqual(anInteraction());
      expect(await storage.interactions.update('i1', { sessionId: 's9', accountConfirmed: true })).toBe(true);
      expect(await storage.interactions.find('i1')).toMatchObject({ sessionId: 's9', accountConfirmed: true, loginRequested: false });
      const results = await Promise.all([1, 2].map(() => storage.interactions.consume('i1', 7)));
      expect(results.filter(Boolean)).toHaveLength(1);
      expect((await storage.interactions.find('i1'))?.consumedAt).toBe(7);
      expect(await storage.interactions.update('i1', { loginRequested: true })).toBe(false);
    });

    it('RFC 6749 §4.1.2: consume() redeems a code for exactly one of two racing callers', async () => {
      await storage.authorizationCodes.save(aCode());
      expect(await storage.authorizationCodes.find('h1')).toEqual(aCode());
      const results = await Promise.all([1, 2].map(() => storage.authorizationCodes.consume('h1', 2000)));
      expect(results.filter(Boolean)).toHaveLength(1);
      expect((await storage.authorizationCodes.find('h1'))?.consumedAt).toBe(2000);
      expect(await storage.authorizationCodes.deleteExpired(61_001, 10)).toBe(1);
    });

    it('the clean-up deletes expired sessions, interactions and pushed requests, and nothing live', async () => {
      const session = { id: 's1', secretHash: 'sh1', subject: 'u', authTime: 0, amr: [], createdAt: 0, lastSeenAt: 0, expiresAt: 100 };
      await storage.sessions.create(session);
      await storage.sessions.create({ ...session, id: 's2', secretHash: 'sh2', expiresAt: 1000 });
      await storage.interactions.create(anInteraction({ id: 'old', expiresAt: 100 }));
      await storage.interactions.create(anInteraction({ id: 'new', expiresAt: 1000 }));
      await storage.pushedAuthorizationRequests.save({ hash: 'p-old', clientId: 'c', params: {}, createdAt: 0, expiresAt: 100 });
      await storage.pushedAuthorizationRequests.save({ hash: 'p-new', clientId: 'c', params: {}, createdAt: 0, expiresAt: 1000 });
      expect(await storage.sessions.deleteExpired(500, 10)).toBe(1);
      expect(await storage.interactions.deleteExpired(500, 10)).toBe(1);
      expect(await storage.pushedAuthorizationRequests.deleteExpired(500, 10)).toBe(1);
      expect(await storage.sessions.find('s2')).toBeDefined();
      expect(await storage.interactions.find('new')).toBeDefined();
      expect(await storage.pushedAuthorizationRequests.consume('p-new', 500)).toBeDefined();
    });

    it('RFC 9126 §2.2: a pushed request is used once, and not after it expires', async () => {
      const pushed = { hash: 'p1', clientId: 'c1', params: { scope: 'openid', state: 'é' }, createdAt: 0, expiresAt: 60 };
      await storage.pushedAuthorizationRequests.save(pushed);
      await storage.pushedAuthorizationRequests.save({ ...pushed, hash: 'p2' });
      const results = await Promise.all([1, 2].map(() => storage.pushedAuthorizationRequests.consume('p1', 10)));
      expect(results.filter((r) => r !== undefined)).toEqual([pushed]);
      expect(await storage.pushedAuthorizationRequests.consume('p2', 60)).toBeUndefined();
    });
  });
}

usersAndSessionsContract('sqlite', () => openStorage('sqlite::memory:'));
describePostgres('PostgreSQL', () => {
  usersAndSessionsContract('postgres', async () => openStorage(await createPostgresDatabase(), { poolSize: 4 }));
});
