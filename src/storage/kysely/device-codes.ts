// Device authorizations on Kysely (RFC 8628). poll, decide and consume are each one conditional UPDATE; the row count
// names the winner, so the interval, the decision and single use hold across processes sharing the database.
import { sql, type Kysely, type Selectable } from 'kysely';
import type { DeviceCodeRecord, DeviceCodeStatus } from '../records/device-code.js';
import type { DeviceCodes } from '../storage.js';
import type { Database, DeviceCodesTable } from './schema.js';

const fromRow = (row: Selectable<DeviceCodesTable>): DeviceCodeRecord => ({
  deviceCodeHash: row.device_code_hash,
  userCodeHash: row.user_code_hash,
  clientId: row.client_id,
  scope: JSON.parse(row.scope) as string[],
  status: row.status as DeviceCodeStatus,
  intervalSeconds: Number(row.interval_seconds),
  ...(row.last_polled_at !== null && { lastPolledAt: Number(row.last_polled_at) }),
  ...(row.status === 'approved' &&
    row.grant_id !== null &&
    row.subject !== null &&
    row.session_id !== null && {
      approval: {
        grantId: row.grant_id,
        subject: row.subject,
        sessionId: row.session_id,
        authTime: Number(row.auth_time),
        ...(row.acr !== null && { acr: row.acr }),
        amr: JSON.parse(row.amr ?? '[]') as string[],
      },
    }),
  createdAt: Number(row.created_at),
  expiresAt: Number(row.expires_at),
  ...(row.consumed_at !== null && { consumedAt: Number(row.consumed_at) }),
});

export function kyselyDeviceCodes(db: Kysely<Database>): DeviceCodes {
  return {
    async save(record) {
      await db
        .insertInto('device_codes')
        .values({
          device_code_hash: record.deviceCodeHash,
          user_code_hash: record.userCodeHash,
          client_id: record.clientId,
          scope: JSON.stringify(record.scope),
          status: record.status,
          interval_seconds: record.intervalSeconds,
          last_polled_at: record.lastPolledAt ?? null,
          grant_id: null,
          subject: null,
          session_id: null,
          auth_time: null,
          acr: null,
          amr: null,
          created_at: record.createdAt,
          expires_at: record.expiresAt,
          consumed_at: null,
        })
        .execute();
    },
    async findByDeviceCode(deviceCodeHash) {
      const row = await db.selectFrom('device_codes').selectAll().where('device_code_hash', '=', deviceCodeHash).executeTakeFirst();
      return row === undefined ? undefined : fromRow(row);
    },
    async findByUserCode(userCodeHash) {
      const row = await db.selectFrom('device_codes').selectAll().where('user_code_hash', '=', userCodeHash).executeTakeFirst();
      return row === undefined ? undefined : fromRow(row);
    },
    async poll(deviceCodeHash, at, slowDownSeconds) {
      const onTime = await db
        .updateTable('device_codes')
        .set({ last_polled_at: at })
        .where('device_code_hash', '=', deviceCodeHash)
        .where(sql<boolean>`(last_polled_at is null or last_polled_at + interval_seconds * 1000 <= ${at})`)
        .executeTakeFirst();
      if (onTime.numUpdatedRows === 1n) return true;
      await db
        .updateTable('device_codes')
        .set({ last_polled_at: at, interval_seconds: sql<number>`interval_seconds + ${slowDownSeconds}` })
        .where('device_code_hash', '=', deviceCodeHash)
        .execute();
      return false;
    },
    async decide(deviceCodeHash, decision, at) {
      const approval = decision.status === 'approved' ? decision.approval : undefined;
      const result = await db
        .updateTable('device_codes')
        .set({
          status: decision.status,
          grant_id: approval?.grantId ?? null,
          subject: approval?.subject ?? null,
          session_id: approval?.sessionId ?? null,
          auth_time: approval?.authTime ?? null,
          acr: approval?.acr ?? null,
          amr: approval === undefined ? null : JSON.stringify(approval.amr),
        })
        .where('device_code_hash', '=', deviceCodeHash)
        .where('status', '=', 'pending')
        .where('expires_at', '>', at)
        .executeTakeFirst();
      return result.numUpdatedRows === 1n;
    },
    async consume(deviceCodeHash, at) {
      const result = await db
        .updateTable('device_codes')
        .set({ consumed_at: at })
        .where('device_code_hash', '=', deviceCodeHash)
        .where('status', '=', 'approved')
        .where('consumed_at', 'is', null)
        .executeTakeFirst();
      return result.numUpdatedRows === 1n;
    },
    async deleteExpired(now, limit) {
      const result = await db
        .deleteFrom('device_codes')
        .where('device_code_hash', 'in', (qb) => qb.selectFrom('device_codes').select('device_code_hash').where('expires_at', '<', now).limit(limit))
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
