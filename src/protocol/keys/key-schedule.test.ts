import { describe, expect, it } from 'vitest';
import type { SigningAlg } from '../../config/config.js';
import type { SigningKeyRecord } from '../../storage/storage.js';
import { scheduleKeys } from './key-schedule.js';

const HOUR = 3_600_000;
const RETENTION = 24 * HOUR;
const T0 = Date.UTC(2026, 0, 1);

function key(kid: string, alg: SigningAlg, createdAt: number, activatesAt = createdAt): SigningKeyRecord {
  return { kid, alg, publicJwk: { kid, alg }, sealedPrivateKey: 'sealed', createdAt, activatesAt };
}

const kids = (records: readonly SigningKeyRecord[]): string[] => records.map((record) => record.kid).sort();

describe('OIDC Core §10.1.1: a rotated key is published before it signs', () => {
  // `old` signs from T0; `next` is rotated in at T0 + 10 h with one hour of pre-publication.
  const old = key('old', 'ES256', T0);
  const next = key('next', 'ES256', T0 + 10 * HOUR, T0 + 11 * HOUR);

  it('publishes the new key at once, while the old key keeps signing', () => {
    const schedule = scheduleKeys([old, next], T0 + 10 * HOUR, RETENTION);
    expect(kids(schedule.published)).toEqual(['next', 'old']);
    expect(schedule.signing.get('ES256')?.kid).toBe('old');
  });

  it('does not sign with the new key until the pre-publication period has passed', () => {
    expect(scheduleKeys([old, next], T0 + 11 * HOUR - 1, RETENTION).signing.get('ES256')?.kid).toBe('old');
    expect(scheduleKeys([old, next], T0 + 11 * HOUR, RETENTION).signing.get('ES256')?.kid).toBe('next');
  });

  it('signs with the newest activated key when several have activated', () => {
    const third = key('third', 'ES256', T0 + 20 * HOUR, T0 + 21 * HOUR);
    expect(scheduleKeys([third, old, next], T0 + 22 * HOUR, RETENTION).signing.get('ES256')?.kid).toBe('third');
  });

  it('has no signing key when the only key is still pending', () => {
    const pending = key('pending', 'RS256', T0, T0 + HOUR);
    const schedule = scheduleKeys([pending], T0, RETENTION);
    expect(schedule.signing.has('RS256')).toBe(false);
    expect(kids(schedule.published)).toEqual(['pending']);
  });
});

describe('RFC 7517 §5: a retired key stays in the JWKS until every token it signed has expired', () => {
  const old = key('old', 'ES256', T0);
  const next = key('next', 'ES256', T0 + 10 * HOUR, T0 + 11 * HOUR);
  const retiredAt = next.activatesAt;

  it('keeps the retired key published through successor activation + retention', () => {
    for (const now of [retiredAt, retiredAt + RETENTION / 2, retiredAt + RETENTION - 1]) {
      const schedule = scheduleKeys([old, next], now, RETENTION);
      expect(kids(schedule.published)).toEqual(['next', 'old']);
      expect(schedule.expired).toEqual([]);
    }
  });

  it('drops it from the JWKS, as expired, once successor activation + retention has passed', () => {
    const schedule = scheduleKeys([old, next], retiredAt + RETENTION, RETENTION);
    expect(kids(schedule.published)).toEqual(['next']);
    expect(kids(schedule.expired)).toEqual(['old']);
    expect(schedule.signing.get('ES256')?.kid).toBe('next');
  });

  it('counts retention from the successor activation, not from the successor creation', () => {
    // Created at T0 + 10 h but activating at T0 + 11 h: at creation + retention the old key must still be there.
    const schedule = scheduleKeys([old, next], next.createdAt + RETENTION, RETENTION);
    expect(kids(schedule.published)).toContain('old');
  });

  it('never retires a key because of a successor that is still pending', () => {
    const farFuture = key('far', 'ES256', T0 + HOUR, T0 + 1000 * HOUR);
    const schedule = scheduleKeys([old, farFuture], T0 + 500 * HOUR, RETENTION);
    expect(kids(schedule.published)).toEqual(['far', 'old']);
    expect(schedule.signing.get('ES256')?.kid).toBe('old');
  });

  it('schedules each algorithm on its own', () => {
    const rsa = key('rsa', 'RS256', T0);
    const schedule = scheduleKeys([old, next, rsa], retiredAt + RETENTION, RETENTION);
    expect(schedule.signing.get('RS256')?.kid).toBe('rsa'); // an ES256 rotation does not retire the RS256 key
    expect(kids(schedule.published)).toEqual(['next', 'rsa']);
    expect(kids(schedule.expired)).toEqual(['old']);
  });
});
