// The storage ports: one narrow interface per concern (STYLE.md "Storage"). Adapters live in kysely/.
// Every state change that must happen once is one atomic statement, so it holds across processes sharing PostgreSQL.
import type { SigningAlg } from '../config/config.js';
import type { Client } from './records/client.js';
import type { AccessTokenRecord } from './records/access-token.js';
import type { GrantRecord } from './records/grant.js';
import type { RefreshTokenRecord } from './records/refresh-token.js';
import type { AuthorizationCodeRecord } from './records/authorization-code.js';
import type { DeviceApproval, DeviceCodeRecord } from './records/device-code.js';
import type { InteractionRecord, PushedAuthorizationRequestRecord } from './records/authorization-request.js';
import type { LoginFailures, SessionRecord } from './records/session.js';
import type { UserRecord } from './records/user.js';
import type { BackchannelLogoutRecord } from './records/backchannel-logout.js';

export type Dialect = 'sqlite' | 'postgres';

/** A signing key as stored: the private part sealed with the master key (AES-256-GCM). Times are epoch ms. */
export interface SigningKeyRecord {
  readonly kid: string;
  readonly alg: SigningAlg;
  /** The public JWK (RFC 7517 §4) as published, with kid, alg and use. */
  readonly publicJwk: Readonly<Record<string, unknown>>;
  readonly sealedPrivateKey: string;
  readonly createdAt: number;
  /** Signs from this moment; published in the JWKS from createdAt. */
  readonly activatesAt: number;
}

export interface SigningKeys {
  list(): Promise<SigningKeyRecord[]>;
  add(key: SigningKeyRecord): Promise<void>;
  /** Deletes keys that are out of the JWKS for good. */
  remove(kids: readonly string[]): Promise<void>;
  /**
   * Runs `work` in one transaction holding a lock on the key list: callers in every process sharing the database take
   * turns, so a check-then-add (the first keys, made by processes starting together) happens once.
   */
  exclusively<T>(work: (keys: SigningKeys) => Promise<T>): Promise<T>;
}

/**
 * Single-use markers: a JWT jti (RFC 7523 §3 item 7, RFC 9449 §11.1), a one-time value of any kind.
 * `use` resolves true for exactly one caller however many race, across every process sharing the database.
 */
export interface ReplayGuard {
  use(key: string, expiresAt: number): Promise<boolean>;
  /** Deletes up to `limit` markers expired before `now`; returns how many went. */
  deleteExpired(now: number, limit: number): Promise<number>;
}

export interface Clients {
  find(clientId: string): Promise<Client | undefined>;
  /** Stores a new client; false when the client_id is taken. */
  create(client: Client): Promise<boolean>;
  /** Replaces a client's record; false when it does not exist. */
  update(client: Client): Promise<boolean>;
  delete(clientId: string): Promise<boolean>;
  /** Clients ordered by client_id, after `afterClientId` (keyset pagination). */
  list(options?: { afterClientId?: string; limit?: number }): Promise<Client[]>;
}

/** RFC 7591 §3: an initial access token (made by `latchkey registration-token create`), stored as its hash. */
export interface InitialAccessTokenRecord {
  readonly tokenHash: string;
  readonly createdAt: number;
  readonly expiresAt: number;
}

export interface InitialAccessTokens {
  create(token: InitialAccessTokenRecord): Promise<void>;
  find(tokenHash: string): Promise<InitialAccessTokenRecord | undefined>;
  /** Deletes up to `limit` tokens expired before `now`; returns how many went. */
  deleteExpired(now: number, limit: number): Promise<number>;
}

/** Grants: the family every code and token belongs to. */
export interface Grants {
  create(grant: GrantRecord): Promise<void>;
  find(id: string): Promise<GrantRecord | undefined>;
  /** Marks the grant revoked and revokes every token issued under it, in one transaction. */
  revoke(id: string, at: number): Promise<void>;
  /** A user's grants that are not revoked (connected apps), newest first; the caller filters on expiresAt. */
  listBySubject(subject: string): Promise<GrantRecord[]>;
  /** The clients that were given grants in login session `sessionId` (Back-Channel Logout §2.7: the session's participants). */
  clientIdsBySession(sessionId: string): Promise<string[]>;
  /**
   * Records an issuance under the grant: sets lastUsedAt, extends expiresAt to at least `coversUntil`, and holds the
   * grant's row lock until the enclosing transaction ends, so a concurrent revoke() runs wholly before (then this
   * resolves false) or wholly after the tokens being issued exist (then it revokes them too). False when the grant is
   * revoked or unknown. Call it first inside `transaction()`, before writing the tokens.
   */
  touch(id: string, at: number, coversUntil: number): Promise<boolean>;
  /** Deletes up to `limit` grants that are expired or revoked before `now`, with their tokens; returns how many went. */
  deleteExpired(now: number, limit: number): Promise<number>;
}

/** Access tokens of both formats, by SHA-256 (opaque) or jti (JWT). */
export interface AccessTokens {
  /**
   * Saves a token; with `issued`, its token.issued audit event too, in one statement on PostgreSQL (one round trip,
   * both or neither) and in one group commit on SQLite. Resolves once both are committed.
   */
  save(token: AccessTokenRecord, issued?: AuditEventRecord): Promise<void>;
  find(id: string): Promise<AccessTokenRecord | undefined>;
  /** Marks one token revoked; false when it is unknown or was already revoked. */
  revoke(id: string, at: number): Promise<boolean>;
  /**
   * revoke() and the audit log's record(`event`) in one atomic write (issue 9 item 8): both or neither. Cheaper than
   * the two in transaction(): on SQLite it joins the group commit (issue #10 §2).
   */
  revokeRecorded(id: string, at: number, event: AuditEventRecord): Promise<boolean>;
  /** Deletes up to `limit` tokens that expired before `now`; returns how many went. */
  deleteExpired(now: number, limit: number): Promise<number>;
}

export interface RefreshTokens {
  save(token: RefreshTokenRecord): Promise<void>;
  find(hash: string): Promise<RefreshTokenRecord | undefined>;
  /**
   * Swaps `oldHash` for `next` in one step: marks the old token rotated at `next.issuedAt` with `next` as its
   * successor, only if it is neither rotated nor revoked, and stores `next`. Resolves true for exactly one caller
   * however many race, across processes; false if the old token was already rotated or revoked (reuse, RFC 9700 §4.14.2).
   */
  rotate(oldHash: string, next: RefreshTokenRecord): Promise<boolean>;
  /** Deletes up to `limit` tokens that expired before `now`; returns how many went. */
  deleteExpired(now: number, limit: number): Promise<number>;
}

/**
 * Rate-limit counters (issue 9 item 4): one row per key holding the current and the previous window's count.
 * `hit` is one atomic upsert, so concurrent processes sharing the database count every hit exactly once.
 */
export interface RateLimitCounters {
  /**
   * Counts `hits` (default 1) on `key` in the window starting at `windowStart` (a multiple of `windowMs`); returns both
   * counts after it. More than one: a process flushing the hits it counted in memory (issue #10 §2).
   */
  hit(key: string, windowStart: number, windowMs: number, hits?: number): Promise<{ count: number; previousCount: number }>;
  /** Deletes up to `limit` counters whose window started before `before`; returns how many went. */
  deleteExpired(before: number, limit: number): Promise<number>;
}

/** A security event (issue 9 item 8): who did what, when, from where. Never a secret. Times are epoch ms. */
export interface AuditEventRecord {
  readonly id: string;
  readonly at: number;
  readonly type: string;
  /** `admin-api`, `cli`, `registration`, `user:SUBJECT`, `client:ID`, … */
  readonly actor: string;
  readonly clientId?: string;
  readonly subject?: string;
  readonly ip?: string;
  readonly userAgent?: string;
  readonly details: Readonly<Record<string, string | number | boolean>>;
}

export interface AuditQuery {
  readonly since?: number;
  readonly type?: string;
  readonly clientId?: string;
  readonly limit?: number;
}

export interface AuditLog {
  record(event: AuditEventRecord): Promise<void>;
  /** Newest first. */
  list(query: AuditQuery): Promise<AuditEventRecord[]>;
}

export interface Users {
  /** Stores a new user; says which unique value is taken when it cannot. */
  create(user: UserRecord): Promise<'created' | 'username_taken' | 'email_taken'>;
  find(sub: string): Promise<UserRecord | undefined>;
  findByUsername(username: string): Promise<UserRecord | undefined>;
  /** Case-insensitive. */
  findByEmail(email: string): Promise<UserRecord | undefined>;
  /** Users ordered by username, after `afterUsername` (keyset pagination). */
  list(options?: { afterUsername?: string; limit?: number }): Promise<UserRecord[]>;
  /** Replaces a user's record (not sub, not createdAt). */
  update(user: UserRecord): Promise<'updated' | 'not_found' | 'email_taken'>;
  delete(sub: string): Promise<boolean>;
}

export interface Sessions {
  create(session: SessionRecord): Promise<void>;
  findBySecretHash(secretHash: string): Promise<SessionRecord | undefined>;
  find(id: string): Promise<SessionRecord | undefined>;
  /** Records activity (the idle timeout counts from here). */
  touch(id: string, at: number): Promise<void>;
  /** True for exactly one caller however many race: the one that ends the session sends its logout notifications. */
  delete(id: string): Promise<boolean>;
  /** A user's sessions, newest first. */
  listBySubject(subject: string): Promise<SessionRecord[]>;
  /** Up to `limit` sessions past their absolute end (`expires_at <= now`) or idle since `idleSince` (`last_seen_at <= idleSince`). */
  listExpired(now: number, idleSince: number, limit: number): Promise<SessionRecord[]>;
  /** Ends every session of a user (disabled, deleted, password changed). */
  deleteBySubject(subject: string): Promise<number>;
  deleteExpired(now: number, limit: number): Promise<number>;
}

/** What a user allowed a client, remembered so the consent page is not shown again for the same scopes. */
export interface Consents {
  find(subject: string, clientId: string): Promise<readonly string[]>;
  /** Adds `scope` to what was allowed before. */
  remember(subject: string, clientId: string, scope: readonly string[], at: number): Promise<void>;
  forget(subject: string, clientId: string): Promise<void>;
}

/** Failed-login counters, shared by every process (throttling must hold across them). */
export interface LoginThrottle {
  find(keys: readonly string[]): Promise<LoginFailures[]>;
  /** Counts one more failure in one atomic statement; a count older than `windowMs` starts again from 1. */
  recordFailure(key: string, at: number, windowMs: number): Promise<void>;
  clear(key: string): Promise<void>;
}

export interface Interactions {
  create(interaction: InteractionRecord): Promise<void>;
  find(id: string): Promise<InteractionRecord | undefined>;
  /** Records progress on the pages; false when the interaction is gone or already finished. */
  update(id: string, progress: Partial<Pick<InteractionRecord, 'sessionId' | 'accountConfirmed' | 'loginRequested'>>): Promise<boolean>;
  /** Finishes the interaction; resolves true for exactly one caller however many race. */
  consume(id: string, at: number): Promise<boolean>;
  deleteExpired(now: number, limit: number): Promise<number>;
}

export interface AuthorizationCodes {
  save(code: AuthorizationCodeRecord): Promise<void>;
  find(codeHash: string): Promise<AuthorizationCodeRecord | undefined>;
  /** Marks the code used; resolves true for exactly one caller however many race (RFC 6749 §4.1.2). */
  consume(codeHash: string, at: number): Promise<boolean>;
  deleteExpired(now: number, limit: number): Promise<number>;
}

/** RFC 9126: pushed authorization requests, each usable once before it expires. */
export interface PushedAuthorizationRequests {
  save(request: PushedAuthorizationRequestRecord): Promise<void>;
  /** Marks the request used and returns it; undefined when unknown, expired or already used (for all but one racing caller). */
  consume(hash: string, at: number): Promise<PushedAuthorizationRequestRecord | undefined>;
  deleteExpired(now: number, limit: number): Promise<number>;
}

/** The durable queue of back-channel logout notifications (OIDC Back-Channel Logout 1.0 §2.7): survives restarts, shared by every process. */
export interface BackchannelLogouts {
  enqueue(notifications: readonly BackchannelLogoutRecord[]): Promise<void>;
  /**
   * Claims up to `limit` notifications due at `now` until `claimUntil`: each row is claimed by one caller however many
   * processes race (`UPDATE … WHERE claimed_until < now`, row count 1); a claimant that dies releases it when the claim lapses.
   */
  claimDue(now: number, claimUntil: number, limit: number): Promise<BackchannelLogoutRecord[]>;
  markDelivered(id: string, at: number): Promise<void>;
  /** Records a failed attempt; the notification is tried again from `nextAttemptAt`, or never when `nextAttemptAt` is undefined (gave up). */
  recordFailure(id: string, at: number, attempts: number, error: string, nextAttemptAt: number | undefined): Promise<void>;
  /** Notifications neither delivered nor given up. */
  pending(): Promise<BackchannelLogoutRecord[]>;
  /** Deletes up to `limit` delivered or abandoned notifications finished before `before`; returns how many went. */
  deleteFinished(before: number, limit: number): Promise<number>;
}

/** RFC 8628: device authorizations. Every transition is one conditional UPDATE whose row count names the winner. */
export interface DeviceCodes {
  save(record: DeviceCodeRecord): Promise<void>;
  findByDeviceCode(deviceCodeHash: string): Promise<DeviceCodeRecord | undefined>;
  findByUserCode(userCodeHash: string): Promise<DeviceCodeRecord | undefined>;
  /**
   * RFC 8628 §3.5: records a poll at `at`. True when it came at least the interval after the last one; otherwise the
   * interval grows by `slowDownSeconds` (remembered for the next poll) and it resolves false.
   */
  poll(deviceCodeHash: string, at: number, slowDownSeconds: number): Promise<boolean>;
  /** Pending → approved or denied, once; false when it was no longer pending or has expired. */
  decide(deviceCodeHash: string, decision: { status: 'approved'; approval: DeviceApproval } | { status: 'denied' }, at: number): Promise<boolean>;
  /** Marks an approved code used; true for exactly one caller however many race (RFC 8628 §3.5, single use). */
  consume(deviceCodeHash: string, at: number): Promise<boolean>;
  deleteExpired(now: number, limit: number): Promise<number>;
}

export interface Storage {
  readonly dialect: Dialect;
  readonly signingKeys: SigningKeys;
  readonly clients: Clients;
  readonly replay: ReplayGuard;
  readonly grants: Grants;
  readonly accessTokens: AccessTokens;
  readonly refreshTokens: RefreshTokens;
  readonly initialAccessTokens: InitialAccessTokens;
  readonly rateLimits: RateLimitCounters;
  readonly audit: AuditLog;
  readonly users: Users;
  readonly sessions: Sessions;
  readonly consents: Consents;
  readonly loginThrottle: LoginThrottle;
  readonly interactions: Interactions;
  readonly authorizationCodes: AuthorizationCodes;
  readonly pushedAuthorizationRequests: PushedAuthorizationRequests;
  readonly backchannelLogouts: BackchannelLogouts;
  readonly deviceCodes: DeviceCodes;
  /** Runs `work` in one transaction: all of it commits, or none of it. */
  transaction<T>(work: (tx: Storage) => Promise<T>): Promise<T>;
  /** Resolves when the database answers a trivial query (readiness). */
  ping(): Promise<void>;
  close(): Promise<void>;
}
