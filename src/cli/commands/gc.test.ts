// `latchkey gc` (issue #5 item 8): expired rows deleted in bounded batches, live rows untouched.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../lib/clock.js';
import { openStorage } from '../../storage/open-storage.js';
import type { CliIo } from '../io.js';
import { run } from '../run.js';
import { gcCommand } from './gc.js';

const MINUTE = 60_000;

function captureIo(env: Record<string, string>): CliIo & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, stdout: (line) => out.push(line), stderr: (line) => err.push(line), stdin: new PassThrough(), env, interactive: false };
}

let dir: string;
let databaseUrl: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'latchkey-gc-'));
  databaseUrl = `sqlite:${join(dir, 'latchkey.db')}`;
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Rows on both sides of `now + 30 min`; returns their ids. */
async function seed(now: number) {
  const storage = await openStorage(databaseUrl);
  try {
    await storage.clients.create({
      clientId: 'app',
      metadata: { redirect_uris: [], grant_types: [], response_types: [], token_endpoint_auth_method: 'none' },
      policy: { accessTokenFormat: 'opaque', allowedLegacyGrants: [] },
      createdAt: now,
      updatedAt: now,
    });
    const grant = (id: string, expiresAt: number) => storage.grants.create({ id, clientId: 'app', subject: 'u', scope: [], resources: [], createdAt: now, expiresAt });
    await grant('grant-expiring', now + 20 * MINUTE);
    await grant('grant-live', now + 60 * MINUTE);
    const access = (id: string, expiresAt: number) =>
      storage.accessTokens.save({ id, format: 'opaque', clientId: 'app', scope: [], audience: ['x'], issuedAt: now, expiresAt });
    for (let i = 0; i < 25; i++) await access(`at-expiring-${i}`, now + 10 * MINUTE);
    await access('at-live', now + 40 * MINUTE);
    const refresh = (hash: string, grantId: string, expiresAt: number) =>
      storage.refreshTokens.save({ hash, grantId, clientId: 'app', scope: [], issuedAt: now, expiresAt, absoluteExpiresAt: expiresAt });
    await refresh('rt-expiring', 'grant-live', now + 10 * MINUTE);
    await refresh('rt-live', 'grant-live', now + 50 * MINUTE);
    await refresh('rt-of-expiring-grant', 'grant-expiring', now + 15 * MINUTE);
    await storage.replay.use('jti-expiring', now + 5 * MINUTE);
    await storage.replay.use('jti-live', now + 45 * MINUTE);
  } finally {
    await storage.close();
  }
}

describe('Issue #5 §8: latchkey gc', () => {
  it('with an injected clock, deletes the expired rows in bounded batches and leaves the live ones untouched', async () => {
    const clock = new ManualClock(Date.now());
    await seed(clock.now());
    clock.advance(30 * MINUTE);
    const io = captureIo({ LATCHKEY_DATABASE_URL: databaseUrl, LATCHKEY_DATA_DIR: dir, LATCHKEY_GC_BATCH_SIZE: '10' });
    expect(await gcCommand({ json: 'true' }, io, { clock })).toBe(0);
    expect(JSON.parse(io.out[0] ?? '{}')).toEqual({ access_tokens: 25, refresh_tokens: 2, authorization_codes: 0, pushed_authorization_requests: 0, device_codes: 0, interactions: 0, sessions: 0, backchannel_logouts: 0, grants: 1, replay_records: 1 });

    const storage = await openStorage(databaseUrl);
    try {
      expect(await storage.grants.find('grant-expiring')).toBeUndefined();
      expect(await storage.grants.find('grant-live')).toBeDefined();
      expect(await storage.accessTokens.find('at-expiring-0')).toBeUndefined();
      expect(await storage.accessTokens.find('at-live')).toBeDefined();
      expect(await storage.refreshTokens.find('rt-expiring')).toBeUndefined();
      expect(await storage.refreshTokens.find('rt-of-expiring-grant')).toBeUndefined();
      expect(await storage.refreshTokens.find('rt-live')).toBeDefined();
      expect(await storage.replay.use('jti-expiring', 0)).toBe(true); // gone, so usable again
      expect(await storage.replay.use('jti-live', 0)).toBe(false);
    } finally {
      await storage.close();
    }
  });

  it('runs from the command line and prints what it deleted per table', async () => {
    await seed(Date.now() - 60 * MINUTE - 1); // everything seeded expired a moment ago, by the real clock
    const io = captureIo({ LATCHKEY_DATA_DIR: dir });
    expect(await run(['gc', '--database-url', databaseUrl], io)).toBe(0);
    expect(io.out).toEqual([
      'access_tokens: 26 expired deleted',
      'refresh_tokens: 3 expired deleted',
      'authorization_codes: 0 expired deleted',
      'pushed_authorization_requests: 0 expired deleted',
      'device_codes: 0 expired deleted',
      'interactions: 0 expired deleted',
      'sessions: 0 expired deleted',
      'backchannel_logouts: 0 expired deleted',
      'grants: 2 expired deleted',
      'replay_records: 2 expired deleted',
    ]);
  });

  it('refuses a flag it does not know (exit 2)', async () => {
    const io = captureIo({ LATCHKEY_DATA_DIR: dir });
    expect(await run(['gc', '--database-url', databaseUrl, '--dry-run', 'yes'], io)).toBe(2);
    expect(io.err).toEqual(['latchkey: unknown flag --dry-run for gc (try latchkey help)']);
  });
});
