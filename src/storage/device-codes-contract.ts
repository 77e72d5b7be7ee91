// The device code storage contract (RFC 8628): every adapter stores and finds device authorizations the same way, and
// the slow_down interval, the decision and single use each hold for exactly one of many racing callers.
import { afterEach, describe, expect, it } from 'vitest';
import type { DeviceApproval, DeviceCodeRecord } from './records/device-code.js';
import type { Storage } from './storage.js';

const NOW = Date.UTC(2026, 0, 1, 12, 0, 0, 123); // past 2^32 ms: a BIGINT that came back as a string would show
const CLIENT = 'tv-client';

const aDeviceCode = (overrides: Partial<DeviceCodeRecord> = {}): DeviceCodeRecord => ({
  deviceCodeHash: `dc-${Math.random().toString(36).slice(2)}`,
  userCodeHash: `uc-${Math.random().toString(36).slice(2)}`,
  clientId: CLIENT,
  scope: ['openid', 'profile'],
  status: 'pending',
  intervalSeconds: 5,
  createdAt: NOW,
  expiresAt: NOW + 600_000,
  ...overrides,
});

export function deviceCodesContract(name: string, open: () => Promise<Storage>): void {
  describe(`${name} device code storage contract`, () => {
    const opened: Storage[] = [];
    const fresh = async (): Promise<Storage> => {
      const storage = await open();
      opened.push(storage);
      await storage.clients.create({
        clientId: CLIENT,
        metadata: { redirect_uris: [], grant_types: ['urn:ietf:params:oauth:grant-type:device_code'], response_types: [], token_endpoint_auth_method: 'none' },
        policy: { accessTokenFormat: 'jwt', allowedLegacyGrants: [] },
        createdAt: NOW,
        updatedAt: NOW,
      });
      return storage;
    };
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((storage) => storage.close()));
    });

    const approve = async (storage: Storage, record: DeviceCodeRecord): Promise<DeviceApproval> => {
      const approval: DeviceApproval = { grantId: `g-${record.deviceCodeHash}`, subject: 'user-1', sessionId: 's-1', authTime: NOW, acr: '1', amr: ['pwd'] };
      await storage.grants.create({ id: approval.grantId, clientId: CLIENT, subject: 'user-1', scope: record.scope, resources: [], createdAt: NOW, expiresAt: record.expiresAt });
      expect(await storage.deviceCodes.decide(record.deviceCodeHash, { status: 'approved', approval }, NOW)).toBe(true);
      return approval;
    };

    it('save() then find by either hash returns every field, times as numbers', async () => {
      const storage = await fresh();
      const record = aDeviceCode();
      await storage.deviceCodes.save(record);
      expect(await storage.deviceCodes.findByDeviceCode(record.deviceCodeHash)).toEqual(record);
      expect(await storage.deviceCodes.findByUserCode(record.userCodeHash)).toEqual(record);
      expect(await storage.deviceCodes.findByDeviceCode('unknown')).toBeUndefined();
    });

    it('RFC 8628 §3.5: poll() is on time after the interval; too early it grows the interval by 5 s, remembered', async () => {
      const storage = await fresh();
      const record = aDeviceCode();
      await storage.deviceCodes.save(record);
      expect(await storage.deviceCodes.poll(record.deviceCodeHash, NOW, 5)).toBe(true);
      expect(await storage.deviceCodes.poll(record.deviceCodeHash, NOW + 4_000, 5)).toBe(false);
      expect((await storage.deviceCodes.findByDeviceCode(record.deviceCodeHash))?.intervalSeconds).toBe(10);
      expect(await storage.deviceCodes.poll(record.deviceCodeHash, NOW + 4_000 + 10_000, 5)).toBe(true);
    });

    it('RFC 8628 §3.5: of many racing polls at one moment, exactly one is on time', async () => {
      const storage = await fresh();
      const record = aDeviceCode({ lastPolledAt: NOW - 60_000 });
      await storage.deviceCodes.save(record);
      const results = await Promise.all(Array.from({ length: 10 }, () => storage.deviceCodes.poll(record.deviceCodeHash, NOW, 5)));
      expect(results.filter(Boolean)).toHaveLength(1);
    });

    it('decide() moves a pending code once; not after expiry; the approval is read back', async () => {
      const storage = await fresh();
      const record = aDeviceCode();
      await storage.deviceCodes.save(record);
      const approval = await approve(storage, record);
      expect(await storage.deviceCodes.decide(record.deviceCodeHash, { status: 'denied' }, NOW)).toBe(false);
      expect(await storage.deviceCodes.findByDeviceCode(record.deviceCodeHash)).toMatchObject({ status: 'approved', approval });
      const late = aDeviceCode({ expiresAt: NOW - 1 });
      await storage.deviceCodes.save(late);
      expect(await storage.deviceCodes.decide(late.deviceCodeHash, { status: 'denied' }, NOW)).toBe(false);
    });

    it('RFC 8628 §3.5: consume() succeeds for exactly one of many racing callers, and never for a code not approved', async () => {
      const storage = await fresh();
      const pending = aDeviceCode();
      await storage.deviceCodes.save(pending);
      expect(await storage.deviceCodes.consume(pending.deviceCodeHash, NOW)).toBe(false);
      const record = aDeviceCode();
      await storage.deviceCodes.save(record);
      await approve(storage, record);
      const results = await Promise.all(Array.from({ length: 10 }, () => storage.deviceCodes.consume(record.deviceCodeHash, NOW)));
      expect(results.filter(Boolean)).toHaveLength(1);
    });

    it('deleteExpired() removes at most `limit` codes expired before now', async () => {
      const storage = await fresh();
      for (let i = 0; i < 3; i++) await storage.deviceCodes.save(aDeviceCode({ expiresAt: NOW - 1 }));
      const live = aDeviceCode();
      await storage.deviceCodes.save(live);
      expect(await storage.deviceCodes.deleteExpired(NOW, 2)).toBe(2);
      expect(await storage.deviceCodes.deleteExpired(NOW, 10)).toBe(1);
      expect(await storage.deviceCodes.findByDeviceCode(live.deviceCodeHash)).toBeDefined();
    });
  });
}
