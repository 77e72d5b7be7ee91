import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { afterEach, describe, expect, it, onTestFinished } from 'vitest';
import type { SigningAlg } from '../../config/config.js';
import { ManualClock, toEpochSeconds } from '../../lib/clock.js';
import { MasterKey } from '../../lib/master-key.js';
import { openStorage } from '../../storage/open-storage.js';
import type { Storage } from '../../storage/storage.js';
import { KeyRing } from './key-ring.js';
import { signJwt } from './sign-jwt.js';

const SECOND = 1000;
const HOUR = 3600 * SECOND;
const PRE_PUBLICATION = HOUR;
const RETENTION = 24 * HOUR;
const ISSUER = 'https://auth.example.com';

const opened: Storage[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((storage) => storage.close()));
});

async function setUp(options: { refreshMs?: number } = {}) {
  const storage = await openStorage('sqlite::memory:');
  opened.push(storage);
  const clock = new ManualClock();
  const masterKey = MasterKey.generate().key;
  const ring = (): KeyRing =>
    new KeyRing({ store: storage.signingKeys, masterKey, clock, prePublicationMs: PRE_PUBLICATION, retentionMs: RETENTION, ...options });
  return { storage, clock, masterKey, ring: ring(), anotherRing: ring };
}

const jwksKids = (ring: KeyRing): string[] => ring.jwks().keys.map((jwk) => jwk.kid as string).sort();

async function verify(token: string, ring: KeyRing, clock: ManualClock, alg: SigningAlg) {
  return jwtVerify(token, createLocalJWKSet(ring.jwks() as never), { issuer: ISSUER, algorithms: [alg], currentDate: new Date(clock.now()) });
}

function tokenFor(ring: KeyRing, clock: ManualClock, alg: SigningAlg): string {
  const now = toEpochSeconds(clock.now());
  return signJwt({ iss: ISSUER, sub: 'alice', iat: now, exp: now + 600 }, ring.signingKey(alg));
}

describe('Issue #2 §5: on first start a signing key is created per algorithm, once', () => {
  it('creates one key for each configured algorithm, signing at once', async () => {
    const { ring, storage } = await setUp();
    const created = await ring.ensureKeys(['ES256', 'RS256', 'ES256']);
    expect(created.map((record) => record.alg).sort()).toEqual(['ES256', 'RS256']);
    expect((await storage.signingKeys.list()).map((record) => record.kid).sort()).toEqual(created.map((record) => record.kid).sort());
    expect(ring.signingKey('ES256').kid).toBe(created.find((record) => record.alg === 'ES256')?.kid);
    expect(ring.signingKey('RS256').kid).toBe(created.find((record) => record.alg === 'RS256')?.kid);
    expect(ring.hasKeys).toBe(true);
  });

  it('is idempotent: a second call, or a restarted process, creates nothing', async () => {
    const { ring, storage, anotherRing } = await setUp();
    await ring.ensureKeys(['ES256', 'RS256']);
    const before = (await storage.signingKeys.list()).map((record) => record.kid).sort();
    expect(await ring.ensureKeys(['ES256', 'RS256'])).toEqual([]);
    expect(await anotherRing().ensureKeys(['ES256', 'RS256'])).toEqual([]);
    expect((await storage.signingKeys.list()).map((record) => record.kid).sort()).toEqual(before);
  });

  it('creates a key only for an algorithm newly configured', async () => {
    const { ring } = await setUp();
    await ring.ensureKeys(['ES256']);
    const created = await ring.ensureKeys(['ES256', 'EdDSA']);
    expect(created.map((record) => record.alg)).toEqual(['EdDSA']);
  });

  it('refuses to sign with an algorithm that has no key', async () => {
    const { ring } = await setUp();
    await ring.ensureKeys(['ES256']);
    expect(() => ring.signingKey('RS256')).toThrow('no active RS256 signing key');
  });
});

describe('Issue #2 §5 / OIDC Core §10.1.1: `keys rotate` publishes at once, signs after pre-publication, retires late', () => {
  it('publishes a rotated key immediately, but keeps signing with the old key', async () => {
    const { ring, clock } = await setUp();
    const [old] = await ring.ensureKeys(['ES256']);
    clock.advance(HOUR);
    const next = await ring.rotate('ES256');
    expect(next.activatesAt).toBe(clock.now() + PRE_PUBLICATION);
    expect(jwksKids(ring)).toEqual([old?.kid, next.kid].sort());
    expect(ring.signingKey('ES256').kid).toBe(old?.kid);
    expect(ring.describe().find((row) => row.kid === next.kid)?.state).toBe('pending');
  });

  it('does not sign with the rotated key until the pre-publication period has passed, then does', async () => {
    const { ring, clock } = await setUp();
    const [old] = await ring.ensureKeys(['ES256']);
    const next = await ring.rotate('ES256');

    clock.advance(PRE_PUBLICATION - SECOND);
    expect(ring.signingKey('ES256').kid).toBe(old?.kid);
    clock.advance(SECOND);
    expect(ring.signingKey('ES256').kid).toBe(next.kid);
    expect(decodeProtectedHeader(tokenFor(ring, clock, 'ES256')).kid).toBe(next.kid);
    expect(ring.describe().map((row) => [row.kid, row.state])).toEqual(
      expect.arrayContaining([[old?.kid, 'retired'], [next.kid, 'signing']]),
    );
  });

  it('keeps the old key published until successor activation + retention, so its tokens still verify', async () => {
    const { ring, clock } = await setUp();
    const [old] = await ring.ensureKeys(['ES256']);
    const next = await ring.rotate('ES256');

    clock.advance(PRE_PUBLICATION - SECOND);
    const lastOldToken = tokenFor(ring, clock, 'ES256'); // signed a second before the old key retires
    expect(decodeProtectedHeader(lastOldToken).kid).toBe(old?.kid);
    clock.advance(5 * 60 * SECOND);
    expect(ring.signingKey('ES256').kid).toBe(next.kid);
    await expect(verify(lastOldToken, ring, clock, 'ES256')).resolves.toBeDefined();

    clock.set(next.activatesAt + RETENTION - SECOND);
    expect(jwksKids(ring)).toEqual([old?.kid, next.kid].sort());
    expect(await ring.removeExpired()).toEqual([]);
  });

  it('drops the old key from the JWKS after successor activation + retention, and removeExpired deletes it', async () => {
    const { ring, clock, storage } = await setUp();
    const [old] = await ring.ensureKeys(['ES256']);
    const next = await ring.rotate('ES256');

    clock.advance(PRE_PUBLICATION + RETENTION);
    expect(jwksKids(ring)).toEqual([next.kid]);
    expect((await storage.signingKeys.list()).map((record) => record.kid)).toContain(old?.kid); // still stored until removed
    expect(await ring.removeExpired()).toEqual([old?.kid]);
    expect((await storage.signingKeys.list()).map((record) => record.kid)).toEqual([next.kid]);
    expect(await ring.removeExpired()).toEqual([]);
    expect(ring.signingKey('ES256').kid).toBe(next.kid);
  });

  it('shows a rotation made by another process after the refresh interval', async () => {
    const { ring: server, anotherRing, clock } = await setUp({ refreshMs: 10 * SECOND });
    await server.ensureKeys(['ES256']);
    const cli = anotherRing();
    const next = await cli.rotate('ES256');

    await server.refreshIfStale();
    expect(jwksKids(server)).not.toContain(next.kid); // cached: the refresh interval has not passed
    clock.advance(10 * SECOND);
    await server.refreshIfStale();
    expect(jwksKids(server)).toContain(next.kid);
  });

  it('Issue #9 §6: rereads at once for a kid it does not know, at most once a second, and not for a kid it knows', async () => {
    const { ring: server, anotherRing, clock, storage } = await setUp({ refreshMs: 3600 * SECOND });
    const [first] = await server.ensureKeys(['ES256']);
    clock.advance(SECOND);
    const next = await anotherRing().rotate('ES256');
    let reads = 0;
    const list = storage.signingKeys.list.bind(storage.signingKeys);
    storage.signingKeys.list = async () => (reads++, list());

    await server.refreshForKid(String(first?.kid));
    expect(reads).toBe(0); // known: nothing to read
    await server.refreshForKid(next.kid);
    expect([reads, jwksKids(server).includes(next.kid)]).toEqual([1, true]);
    await server.refreshForKid('made-up');
    expect(reads).toBe(1); // read under a second ago: an unknown kid waits its turn
    clock.advance(SECOND);
    await server.refreshForKid('made-up');
    expect(reads).toBe(2);
  });

  it('Issue #9 §7: keeps the keys it has when the database cannot be read, and reloads once it can', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'latchkey-ring-'));
    const file = join(dir, 'keys.db');
    const clock = new ManualClock();
    const masterKey = MasterKey.generate().key;
    let database = await openStorage(`sqlite:${file}`);
    // The ring reads whichever connection is current: closed (a real driver error), then opened again.
    const store = { ...database.signingKeys, list: () => database.signingKeys.list() };
    const options = { masterKey, clock, prePublicationMs: PRE_PUBLICATION, retentionMs: RETENTION, refreshMs: 10 * SECOND };
    const ring = new KeyRing({ store, ...options });
    const [first] = await ring.ensureKeys(['ES256']);
    await ring.reload();
    const next = await new KeyRing({ store: database.signingKeys, ...options }).rotate('ES256');
    await database.close();

    clock.advance(10 * SECOND);
    await ring.refreshIfStale(); // the reload fails inside: the cached keys stay
    expect(jwksKids(ring)).toEqual([first?.kid]);
    database = await openStorage(`sqlite:${file}`);
    onTestFinished(async () => {
      await database.close();
      rmSync(dir, { recursive: true, force: true });
    });
    await ring.refreshIfStale(); // within the pause after a failure: not yet
    expect(jwksKids(ring)).toEqual([first?.kid]);
    clock.advance(SECOND);
    await ring.refreshIfStale();
    expect(jwksKids(ring)).toEqual([first?.kid, next.kid].sort());
  });

  it('Issue #9 §7: with no keys loaded yet, a failed reload is an error', async () => {
    const storage = await openStorage('sqlite::memory:');
    const ring = new KeyRing({ store: storage.signingKeys, masterKey: MasterKey.generate().key, clock: new ManualClock(), prePublicationMs: PRE_PUBLICATION, retentionMs: RETENTION });
    await storage.close();
    await expect(ring.refreshIfStale()).rejects.toThrow();
  });
});

describe('RFC 7515 §7.1 / RFC 7518 §3 / RFC 8037 §3.1: tokens signed by signJwt verify against the published JWKS', () => {
  for (const alg of ['ES256', 'RS256', 'EdDSA'] as const) {
    it(`verifies an ${alg} token with jose (jwtVerify over createLocalJWKSet)`, async () => {
      const { ring, clock } = await setUp();
      await ring.ensureKeys([alg]);
      const { payload, protectedHeader } = await verify(tokenFor(ring, clock, alg), ring, clock, alg);
      expect(protectedHeader).toEqual({ alg, typ: 'JWT', kid: ring.signingKey(alg).kid });
      expect(payload).toMatchObject({ iss: ISSUER, sub: 'alice' });
    });
  }

  it('sets the typ header given by the token profile (RFC 9068 §2.1 at+jwt)', async () => {
    const { ring, clock } = await setUp();
    await ring.ensureKeys(['ES256']);
    const now = toEpochSeconds(clock.now());
    const token = signJwt({ iss: ISSUER, iat: now, exp: now + 60 }, ring.signingKey('ES256'), 'at+jwt');
    const { protectedHeader } = await jwtVerify(token, createLocalJWKSet(ring.jwks() as never), { typ: 'at+jwt', currentDate: new Date(clock.now()) });
    expect(protectedHeader.typ).toBe('at+jwt');
  });

  it('rejects a token whose payload was altered after signing', async () => {
    const { ring, clock } = await setUp();
    await ring.ensureKeys(['ES256']);
    const [header, , signature] = tokenFor(ring, clock, 'ES256').split('.');
    const forged = Buffer.from(JSON.stringify({ iss: ISSUER, sub: 'mallory', exp: toEpochSeconds(clock.now()) + 600 })).toString('base64url');
    await expect(verify(`${header}.${forged}.${signature}`, ring, clock, 'ES256')).rejects.toMatchObject({ code: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED' });
  });

  it('publishes only public key material (RFC 7517 §4, no private parameters)', async () => {
    const { ring } = await setUp();
    await ring.ensureKeys(['ES256', 'RS256', 'EdDSA']);
    for (const jwk of ring.jwks().keys) {
      for (const privateParameter of ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth']) expect(jwk).not.toHaveProperty(privateParameter);
      expect(jwk).toMatchObject({ use: 'sig', kid: expect.any(String), alg: expect.stringMatching(/^(ES256|RS256|EdDSA)$/) });
    }
  });
});

describe('Issue #2 §5: private keys are stored sealed with the master key (AES-256-GCM)', () => {
  it('does not store the private key in clear', async () => {
    const { ring, storage, masterKey } = await setUp();
    await ring.ensureKeys(['ES256', 'RS256', 'EdDSA']);
    for (const record of await storage.signingKeys.list()) {
      const privateJwk = JSON.parse(masterKey.decrypt(record.sealedPrivateKey, `signing-key:${record.kid}`)) as { d: string };
      expect(privateJwk.d.length).toBeGreaterThan(20);
      expect(record.sealedPrivateKey).not.toContain(privateJwk.d);
      expect(record.sealedPrivateKey).not.toContain('"d"');
      expect(JSON.stringify(record.publicJwk)).not.toContain(privateJwk.d);
    }
  });

  it('decrypts only with the right master key, and only for its own kid', async () => {
    const { ring, storage, masterKey } = await setUp();
    await ring.ensureKeys(['ES256', 'RS256']);
    const [first, second] = await storage.signingKeys.list();
    if (first === undefined || second === undefined) throw new Error('expected two keys');
    const wrongKey = MasterKey.generate().key;
    expect(masterKey.decrypt(first.sealedPrivateKey, `signing-key:${first.kid}`)).toContain('"d"');
    expect(() => wrongKey.decrypt(first.sealedPrivateKey, `signing-key:${first.kid}`)).toThrow();
    // The kid is bound as additional data: a sealed key moved onto another record does not open.
    expect(() => masterKey.decrypt(first.sealedPrivateKey, `signing-key:${second.kid}`)).toThrow();
  });

  it('cannot sign when the master key is not the one that sealed the keys', async () => {
    const { ring, storage, clock } = await setUp();
    await ring.ensureKeys(['ES256']);
    const stranger = new KeyRing({ store: storage.signingKeys, masterKey: MasterKey.generate().key, clock, prePublicationMs: PRE_PUBLICATION, retentionMs: RETENTION });
    await stranger.reload();
    expect(() => stranger.signingKey('ES256')).toThrow();
  });
});
