// Users on Kysely: claims beyond the indexed ones are one JSON document (portable across both dialects).
import type { Kysely, Selectable } from 'kysely';
import type { UserProfile, UserRecord } from '../records/user.js';
import type { Dialect, Users } from '../storage.js';
import type { DirectExecutor } from './sqlite-dialect.js';
import { hotQuery } from './hot-query.js';
import type { Database, UsersTable } from './schema.js';

const normalizeEmail = (email: string): string => email.toLowerCase();

const toRow = (user: UserRecord): UsersTable => ({
  sub: user.sub,
  username: user.username,
  email: user.email ?? null,
  email_normalized: user.email === undefined ? null : normalizeEmail(user.email),
  email_verified: user.emailVerified ? 1 : 0,
  profile: JSON.stringify(user.profile),
  password_hash: user.passwordHash ?? null,
  disabled: user.disabled ? 1 : 0,
  created_at: user.createdAt,
  updated_at: user.updatedAt,
});

const fromRow = (row: Selectable<UsersTable>): UserRecord => ({
  sub: row.sub,
  username: row.username,
  ...(row.email !== null && { email: row.email }),
  emailVerified: Number(row.email_verified) === 1,
  profile: JSON.parse(row.profile) as UserProfile,
  ...(row.password_hash !== null && { passwordHash: row.password_hash }),
  disabled: Number(row.disabled) === 1,
  createdAt: Number(row.created_at),
  updatedAt: Number(row.updated_at),
});

/** SQLite and PostgreSQL name a unique-constraint violation differently. */
const isUniqueViolation = (error: unknown): boolean => {
  const code = (error as { code?: unknown }).code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
};

const COLUMNS = ['sub', 'username', 'email', 'email_normalized', 'email_verified', 'profile', 'password_hash', 'disabled', 'created_at', 'updated_at'] as const;

export function kyselyUsers(db: Kysely<Database>, dialect: Dialect, direct?: DirectExecutor): Users {
  // By sub: once per UserInfo request and per token with an id_token, so precompiled (hot-query.ts, issue #10 §2).
  const bySub = hotQuery<Selectable<UsersTable>, Database>(db, dialect, `select ${COLUMNS.map((c) => `"${c}"`).join(', ')} from "users" where "sub" = ?`, direct);
  const findBy = async (column: 'sub' | 'username' | 'email_normalized', value: string): Promise<UserRecord | undefined> => {
    const row = column === 'sub' ? (await bySub([value]))[0] : await db.selectFrom('users').selectAll().where(column, '=', value).executeTakeFirst();
    return row === undefined ? undefined : fromRow(row);
  };
  return {
    async create(user) {
      const result = await db.insertInto('users').values(toRow(user)).onConflict((oc) => oc.doNothing()).executeTakeFirst();
      if (result.numInsertedOrUpdatedRows === 1n) return 'created';
      return (await findBy('username', user.username)) !== undefined ? 'username_taken' : 'email_taken';
    },
    find: (sub) => findBy('sub', sub),
    findByUsername: (username) => findBy('username', username),
    findByEmail: (email) => findBy('email_normalized', normalizeEmail(email)),
    async list(options = {}) {
      let query = db.selectFrom('users').selectAll().orderBy('username').limit(Math.min(options.limit ?? 100, 1000));
      if (options.afterUsername !== undefined) query = query.where('username', '>', options.afterUsername);
      return (await query.execute()).map(fromRow);
    },
    async update(user) {
      const { sub, created_at: _created, ...changes } = toRow(user);
      try {
        const result = await db.updateTable('users').set(changes).where('sub', '=', sub).executeTakeFirst();
        return result.numUpdatedRows === 1n ? 'updated' : 'not_found';
      } catch (error) {
        if (isUniqueViolation(error)) return 'email_taken';
        throw error;
      }
    },
    async delete(sub) {
      const result = await db.deleteFrom('users').where('sub', '=', sub).executeTakeFirst();
      return result.numDeletedRows === 1n;
    },
  };
}
