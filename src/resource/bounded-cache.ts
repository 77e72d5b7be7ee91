// A small in-memory map with per-entry expiry and a size bound, for the introspection and DPoP replay caches.

export class BoundedCache<V> {
  private readonly entries = new Map<string, { value: V; until: number }>();
  constructor(private readonly maxEntries: number) {}

  get size(): number {
    return this.entries.size;
  }

  get(key: string, now: number): V | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.until <= now) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  has(key: string, now: number): boolean {
    return this.get(key, now) !== undefined;
  }

  /** Drops expired entries; returns whether there is room for one more. */
  private makeRoom(now: number): boolean {
    if (this.entries.size < this.maxEntries) return true;
    for (const [key, entry] of this.entries) if (entry.until <= now) this.entries.delete(key);
    return this.entries.size < this.maxEntries;
  }

  /** Stores unless full of live entries; `evict` then drops the oldest live entry to make room. */
  set(key: string, value: V, until: number, now: number, evict: boolean): boolean {
    if (until <= now || this.maxEntries <= 0) return false;
    this.entries.delete(key);
    if (!this.makeRoom(now)) {
      if (!evict) return false;
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    this.entries.set(key, { value, until });
    return true;
  }

  delete(key: string): void {
    this.entries.delete(key);
  }
}
