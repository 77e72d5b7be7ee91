// A short-lived per-process cache of client records (issue #10 §2): every token, introspection and revocation
// request looks its client up, and the row rarely changes. Changes made through this process invalidate the entry at
// once (and again when their transaction ends). Changes made by another process (the CLI, another instance) are
// seen at most `ttlMs` late: for that long, a client deleted or a secret rotated elsewhere keeps working here. The
// server uses 1 s (CLIENT_CACHE_TTL_MS); 0 turns the cache off. Unknown client_ids are never cached.
import type { Client } from './records/client.js';

export const CLIENT_CACHE_TTL_MS = 1000;

export interface ClientCache {
  /** The cached record, or `load()`'s, remembered for the TTL unless an invalidation raced the load. */
  find(clientId: string, load: () => Promise<Client | undefined>): Promise<Client | undefined>;
  invalidate(clientId: string): void;
}

export function createClientCache(options: { ttlMs: number; now?: () => number; maxEntries?: number }): ClientCache {
  const { ttlMs, now = Date.now, maxEntries = 10_000 } = options;
  const entries = new Map<string, { client: Client; expiresAt: number }>();
  let generation = 0; // bumped by every invalidation: a load that overlapped one is not remembered
  return {
    async find(clientId, load) {
      const entry = entries.get(clientId);
      if (entry !== undefined && entry.expiresAt > now()) return entry.client;
      const started = generation;
      const client = await load();
      if (client === undefined) entries.delete(clientId);
      else if (started === generation && ttlMs > 0) {
        if (entries.size >= maxEntries && !entries.has(clientId)) entries.delete(entries.keys().next().value as string);
        entries.set(clientId, { client, expiresAt: now() + ttlMs });
      }
      return client;
    },
    invalidate(clientId) {
      generation++;
      entries.delete(clientId);
    },
  };
}
