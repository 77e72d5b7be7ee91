// The signing keys a process uses: loaded from storage, unsealed once, refreshed so a rotation made elsewhere
// (the CLI, another process) is seen without a restart. JWKS per RFC 7517 §5.
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import type { SigningAlg } from '../../config/config.js';
import type { Clock } from '../../lib/clock.js';
import type { MasterKey } from '../../lib/master-key.js';
import type { SigningKeyRecord, SigningKeys } from '../../storage/storage.js';
import { generateSigningKey } from './generate-signing-key.js';
import { scheduleKeys, type KeySchedule } from './key-schedule.js';
import type { ActiveSigningKey } from './sign-jwt.js';

export interface KeyRingOptions {
  readonly store: SigningKeys;
  readonly masterKey: MasterKey;
  readonly clock: Clock;
  readonly prePublicationMs: number;
  readonly retentionMs: number;
  /** How stale the cached key list may get before a reload (default 10 s). */
  readonly refreshMs?: number;
}

/** After a failed reload, how long the cached keys are used before the next attempt. */
const RETRY_AFTER_FAILURE_MS = 1000;

export class KeyRing {
  private records: readonly SigningKeyRecord[] = [];
  private loadedAt = Number.NEGATIVE_INFINITY;
  private retryAt = Number.NEGATIVE_INFINITY;
  private schedule: KeySchedule | undefined;
  private scheduledAt = Number.NEGATIVE_INFINITY;
  private serialised: { readonly schedule: KeySchedule; readonly bytes: Buffer } | undefined;
  private readonly unsealed = new Map<string, KeyObject>();
  private readonly publicKeys = new Map<string, KeyObject>();

  constructor(private readonly options: KeyRingOptions) {}

  /** Reads the keys from storage; call at start and whenever freshness matters. */
  async reload(): Promise<void> {
    this.records = await this.options.store.list();
    this.loadedAt = this.options.clock.now();
    this.schedule = undefined;
  }

  /**
   * Reloads when the cache is older than refreshMs. Cheap to call per request. Issue 9 item 7: when the database
   * cannot be read, the keys already loaded stay in use (JWKS, signing, verifying keep working) and a reload is tried
   * again a second later. They stay right: a rotation cannot happen while the database is down, and one made just
   * before is published an hour (prePublicationMs) before it signs.
   */
  async refreshIfStale(): Promise<void> {
    if (!this.isStale) return;
    const now = this.options.clock.now();
    try {
      await this.reload();
    } catch (error) {
      if (this.records.length === 0) throw error; // nothing to fall back on
      this.retryAt = now + RETRY_AFTER_FAILURE_MS;
    }
  }

  /**
   * Rereads the keys when `kid` is not among them and the last read is at least a second old: a token signed with a
   * key another process started using since (a rotation with a pre-publication period shorter than refreshMs).
   * Bounded to one read a second, so made-up kids cannot turn into a query each.
   */
  async refreshForKid(kid: string): Promise<void> {
    if (this.records.some((record) => record.kid === kid)) return;
    if (this.options.clock.now() - this.loadedAt >= Math.min(1000, this.options.refreshMs ?? 10_000)) await this.reload();
  }

  /** On first start (or when an algorithm is newly configured) creates a key that signs at once. */
  async ensureKeys(algs: readonly SigningAlg[]): Promise<SigningKeyRecord[]> {
    const now = this.options.clock.now();
    // Under the key list's lock: processes starting together on an empty database make one key per algorithm, not
    // one each (the others then find it).
    const created = await this.options.store.exclusively(async (store) => {
      const signing = scheduleKeys(await store.list(), now, this.options.retentionMs).signing;
      const made: SigningKeyRecord[] = [];
      for (const alg of new Set(algs)) {
        if (signing.has(alg)) continue;
        const record = await generateSigningKey(alg, this.options.masterKey, now, now);
        await store.add(record);
        made.push(record);
      }
      return made;
    });
    await this.reload();
    return created;
  }

  /** Adds a key for `alg` that is published now and signs after the pre-publication period. */
  async rotate(alg: SigningAlg): Promise<SigningKeyRecord> {
    const now = this.options.clock.now();
    const record = await generateSigningKey(alg, this.options.masterKey, now, now + this.options.prePublicationMs);
    await this.options.store.add(record);
    await this.reload();
    return record;
  }

  /** Deletes keys that have left the JWKS for good; returns their kids. */
  async removeExpired(): Promise<string[]> {
    await this.reload();
    const kids = this.current().expired.map((key) => key.kid);
    await this.options.store.remove(kids);
    if (kids.length > 0) await this.reload();
    return kids;
  }

  /** The key that signs for `alg` now; throws if there is none (ensureKeys was not run for it). */
  signingKey(alg: SigningAlg): ActiveSigningKey {
    const record = this.current().signing.get(alg);
    if (record === undefined) throw new Error(`no active ${alg} signing key`);
    return { kid: record.kid, alg: record.alg, privateKey: this.privateKey(record) };
  }

  /** The published key `kid`, to verify what this server signed; undefined when it is not (or no longer) published. */
  verificationKey(kid: string): { alg: SigningAlg; publicKey: KeyObject } | undefined {
    const record = this.current().published.find((key) => key.kid === kid);
    if (record === undefined) return undefined;
    let publicKey = this.publicKeys.get(kid);
    if (publicKey === undefined) {
      publicKey = createPublicKey({ key: record.publicJwk as never, format: 'jwk' });
      this.publicKeys.set(kid, publicKey);
    }
    return { alg: record.alg, publicKey };
  }

  /** Whether `refreshIfStale` would read the store now. */
  get isStale(): boolean {
    const now = this.options.clock.now();
    return now - this.loadedAt >= (this.options.refreshMs ?? 10_000) && now >= this.retryAt;
  }

  /** The public JWK Set (RFC 7517 §5). */
  jwks(): { keys: Record<string, unknown>[] } {
    return { keys: this.current().published.map((key) => ({ ...key.publicJwk })) };
  }

  /** The JWK Set as sent (JSON, UTF-8): the same bytes until the published keys change. */
  jwksDocument(): Buffer {
    const schedule = this.current();
    if (this.serialised?.schedule !== schedule) this.serialised = { schedule, bytes: Buffer.from(JSON.stringify(this.jwks())) };
    return this.serialised.bytes;
  }

  /** Every key with its state, for `latchkey keys list`. */
  describe(): { kid: string; alg: SigningAlg; state: 'pending' | 'signing' | 'retired'; createdAt: number; activatesAt: number }[] {
    const schedule = this.current();
    const signingKids = new Set([...schedule.signing.values()].map((key) => key.kid));
    const now = this.options.clock.now();
    return schedule.published.map((key) => ({
      kid: key.kid,
      alg: key.alg,
      state: signingKids.has(key.kid) ? 'signing' : key.activatesAt > now ? 'pending' : 'retired',
      createdAt: key.createdAt,
      activatesAt: key.activatesAt,
    }));
  }

  get hasKeys(): boolean {
    return this.records.length > 0;
  }

  private current(): KeySchedule {
    const now = this.options.clock.now();
    // A pending key may have activated since the last computation; recompute at most once per second.
    if (this.schedule === undefined || now - this.scheduledAt >= 1000 || now < this.scheduledAt) {
      this.schedule = scheduleKeys(this.records, now, this.options.retentionMs);
      this.scheduledAt = now;
    }
    return this.schedule;
  }

  private privateKey(record: SigningKeyRecord): KeyObject {
    let key = this.unsealed.get(record.kid);
    if (key === undefined) {
      const jwk = JSON.parse(this.options.masterKey.decrypt(record.sealedPrivateKey, `signing-key:${record.kid}`)) as Record<string, unknown>;
      key = createPrivateKey({ key: jwk as never, format: 'jwk' });
      this.unsealed.set(record.kid, key);
    }
    return key;
  }
}
