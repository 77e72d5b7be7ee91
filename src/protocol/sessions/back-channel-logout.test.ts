// OIDC Back-Channel Logout 1.0 in the core, on a real SQLite database: the logout token (§2.4), who is notified (§2.7),
// the durable queue's claims and backoff, and sessions ended by the sweeper when idle or past their absolute lifetime.
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaults } from '../../config/defaults.js';
import type { Config } from '../../config/config.js';
import { ManualClock } from '../../lib/clock.js';
import { MasterKey } from '../../lib/master-key.js';
import { systemRandom } from '../../lib/random.js';
import type { Client } from '../../storage/records/client.js';
import { openStorage } from '../../storage/open-storage.js';
import type { Storage } from '../../storage/storage.js';
import { KeyRing } from '../keys/key-ring.js';
import { expirySweepers } from '../maintenance/sweepers.js';
import { nextAttemptAt } from './backoff.js';
import { deliverDueLogouts, type BackchannelTransport } from './deliver-backchannel-logouts.js';
import { endSession, revokeClientAccess } from './end-session.js';
import { BACKCHANNEL_LOGOUT_EVENT, signLogoutToken } from './logout-token.js';

const ISSUER = 'https://login.example';
const config = {
  issuer: ISSUER,
  keys: defaults.keys,
  backchannelLogout: { allowLoopback: false, pollMs: 1000, timeoutMs: 1000, maxAttempts: 3 },
} as unknown as Pick<Config, 'issuer' | 'keys' | 'backchannelLogout'>;

let storage: Storage;
let clock: ManualClock;
let keys: KeyRing;

function client(clientId: string, metadata: Partial<Client['metadata']> = {}): Client {
  return {
    clientId,
    metadata: { redirect_uris: ['https://rp.example/cb'], grant_types: ['authorization_code'], response_types: ['code'], token_endpoint_auth_method: 'none', ...metadata },
    policy: { accessTokenFormat: 'jwt', allowedLegacyGrants: [] },
    createdAt: clock.now(),
    updatedAt: clock.now(),
  };
}

async function sessionWith(id: string, clientIds: readonly string[], overrides: { lastSeenAt?: number; expiresAt?: number } = {}): Promise<void> {
  const now = clock.now();
  await storage.sessions.create({ id, secretHash: `hash-${id}`, subject: 'alice-sub', authTime: now, amr: ['pwd'], createdAt: now, lastSeenAt: overrides.lastSeenAt ?? now, expiresAt: overrides.expiresAt ?? now + 36_000_000 });
  for (const clientId of clientIds) {
    await storage.grants.create({ id: `${id}-${clientId}`, clientId, subject: 'alice-sub', scope: ['openid'], resources: [], sessionId: id, createdAt: now });
  }
}

const deps = () => ({ storage, clock, random: systemRandom, keys, config });

beforeEach(async () => {
  storage = await openStorage('sqlite::memory:');
  clock = new ManualClock();
  keys = new KeyRing({ store: storage.signingKeys, masterKey: MasterKey.generate().key, clock, prePublicationMs: 0, retentionMs: 86_400_000 });
  await keys.ensureKeys(['RS256', 'ES256']);
  await storage.clients.create(client('with-backchannel', { backchannel_logout_uri: 'https://rp.example/backchannel' }));
  await storage.clients.create(client('without-backchannel'));
});
afterEach(async () => {
  await storage.close();
});

describe('Back-Channel Logout §2.4: the logout token', () => {
  it('is a logout+jwt signed with the id_token key, with iss, aud, iat, exp, jti, sub, sid and the event, and no nonce', async () => {
    const token = await signLogoutToken((await storage.clients.find('with-backchannel')) as Client, { subject: 'alice-sub', sessionId: 'sid-1' }, deps());
    expect(decodeProtectedHeader(token)).toMatchObject({ typ: 'logout+jwt', alg: 'RS256' });
    const { payload } = await jwtVerify(token, createLocalJWKSet(keys.jwks() as never), { issuer: ISSUER, audience: 'with-backchannel', typ: 'logout+jwt', currentDate: new Date(clock.now()) });
    expect(payload).toMatchObject({ sub: 'alice-sub', sid: 'sid-1', events: { [BACKCHANNEL_LOGOUT_EVENT]: {} } });
    expect(typeof payload.jti).toBe('string');
    expect((payload.exp as number) - (payload.iat as number)).toBeLessThanOrEqual(120);
    expect(payload).not.toHaveProperty('nonce');
  });

  it('each token has its own jti', async () => {
    const rp = (await storage.clients.find('with-backchannel')) as Client;
    const [a, b] = await Promise.all([signLogoutToken(rp, { sessionId: 's' }, deps()), signLogoutToken(rp, { sessionId: 's' }, deps())]);
    const jti = (token: string) => JSON.parse(Buffer.from(token.split('.')[1] as string, 'base64url').toString()).jti as string;
    expect(jti(a)).not.toBe(jti(b));
  });
});

describe('Back-Channel Logout §2.7: ending a session notifies the clients that took part in it', () => {
  it('queues one notification per participating client with a backchannel_logout_uri; the session is gone', async () => {
    await sessionWith('s1', ['with-backchannel', 'without-backchannel']);
    await sessionWith('s2', ['with-backchannel']);
    expect(await endSession('s1', deps())).toBe(true);
    expect(await storage.sessions.find('s1')).toBeUndefined();
    expect(await storage.sessions.find('s2')).toBeDefined();
    const pending = await storage.backchannelLogouts.pending();
    expect(pending.map((n) => [n.clientId, n.sessionId, n.subject])).toEqual([['with-backchannel', 's1', 'alice-sub']]);
  });

  it('two callers racing to end one session queue its notifications once', async () => {
    await sessionWith('s1', ['with-backchannel']);
    const results = await Promise.all([endSession('s1', deps()), endSession('s1', deps())]);
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await storage.backchannelLogouts.pending()).toHaveLength(1);
  });

  it('revoking an app revokes its grants and the consent, and notifies it by sub', async () => {
    await sessionWith('s1', ['with-backchannel']);
    await storage.consents.remember('alice-sub', 'with-backchannel', ['openid'], clock.now());
    expect(await revokeClientAccess('alice-sub', 'with-backchannel', deps())).toBe(1);
    expect((await storage.grants.find('s1-with-backchannel'))?.revokedAt).toBeDefined();
    expect(await storage.consents.find('alice-sub', 'with-backchannel')).toEqual([]);
    const [notification] = await storage.backchannelLogouts.pending();
    expect(notification).toMatchObject({ clientId: 'with-backchannel', subject: 'alice-sub' });
    expect(notification?.sessionId).toBeUndefined();
  });
});

describe('the durable queue: claims, backoff, bounded attempts', () => {
  it('backoff doubles from 2 s, is capped, and gives up after maxAttempts', () => {
    const policy = { baseMs: 2000, maxMs: 10_000, maxAttempts: 5 };
    expect([1, 2, 3, 4].map((attempt) => nextAttemptAt(attempt, 0, policy))).toEqual([2000, 4000, 8000, 10_000]);
    expect(nextAttemptAt(5, 0, policy)).toBeUndefined();
  });

  it('a due notification is claimed by exactly one of two racing workers, and not again while claimed', async () => {
    await sessionWith('s1', ['with-backchannel']);
    await endSession('s1', deps());
    const now = clock.now();
    const [a, b] = await Promise.all([storage.backchannelLogouts.claimDue(now, now + 10_000, 10), storage.backchannelLogouts.claimDue(now, now + 10_000, 10)]);
    expect(a.length + b.length).toBe(1);
    expect(await storage.backchannelLogouts.claimDue(now + 5000, now + 15_000, 10)).toEqual([]);
    expect(await storage.backchannelLogouts.claimDue(now + 10_001, now + 20_000, 10)).toHaveLength(1); // the claimant died: the claim lapses
  });

  it('a failed delivery is retried after the backoff, then delivered; a 5xx is a failure', async () => {
    await sessionWith('s1', ['with-backchannel']);
    await endSession('s1', deps());
    const sent: { uri: string; token: string }[] = [];
    let status = 503;
    const send: BackchannelTransport = async (uri, form) => {
      sent.push({ uri, token: form.logout_token as string });
      return status;
    };
    expect((await deliverDueLogouts({ ...deps(), send })).map((o) => o.result)).toEqual(['retrying']);
    expect(await deliverDueLogouts({ ...deps(), send })).toEqual([]); // not due yet
    clock.advance(2000);
    status = 200;
    expect((await deliverDueLogouts({ ...deps(), send })).map((o) => o.result)).toEqual(['delivered']);
    expect(sent.map((s) => s.uri)).toEqual(['https://rp.example/backchannel', 'https://rp.example/backchannel']);
    expect(await storage.backchannelLogouts.pending()).toEqual([]);
  });

  it('gives up after maxAttempts', async () => {
    await sessionWith('s1', ['with-backchannel']);
    await endSession('s1', deps());
    const send: BackchannelTransport = async () => {
      throw new Error('connection refused');
    };
    const results: string[] = [];
    for (let round = 0; round < 5; round++) {
      results.push(...(await deliverDueLogouts({ ...deps(), send })).map((o) => o.result));
      clock.advance(60_000);
    }
    expect(results).toEqual(['retrying', 'retrying', 'abandoned']);
    expect(await storage.backchannelLogouts.pending()).toEqual([]);
  });
});

describe('session expiry: idle and absolute lifetimes end the session the way logout does', () => {
  it('the sweeper ends an idle session and one past its absolute end, with notifications; a live one stays', async () => {
    const idleMs = 30 * 60_000;
    await sessionWith('idle', ['with-backchannel'], { lastSeenAt: clock.now() - idleMs - 1 });
    await sessionWith('old', ['with-backchannel'], { expiresAt: clock.now() - 1 });
    await sessionWith('live', ['with-backchannel']);
    const sweeper = expirySweepers(storage, { clock, random: systemRandom, idleMs }).find((s) => s.name === 'sessions');
    expect(await sweeper?.sweep(clock.now(), 100)).toBe(2);
    expect(await storage.sessions.find('idle')).toBeUndefined();
    expect(await storage.sessions.find('old')).toBeUndefined();
    expect(await storage.sessions.find('live')).toBeDefined();
    expect((await storage.backchannelLogouts.pending()).map((n) => n.sessionId).sort()).toEqual(['idle', 'old']);
  });
});
