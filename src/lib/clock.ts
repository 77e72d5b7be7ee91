// Injected time (STYLE.md principle 6): every expiry decision reads a Clock, so tests can move it.

export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** A clock that only moves when told to: for tests of expiry, rotation and clean-up. */
export class ManualClock implements Clock {
  constructor(private current: number = Date.UTC(2026, 0, 1)) {}
  now(): number {
    return this.current;
  }
  advance(ms: number): void {
    this.current += ms;
  }
  set(ms: number): void {
    this.current = ms;
  }
}

export const seconds = (s: number): number => s * 1000;
export const toEpochSeconds = (ms: number): number => Math.floor(ms / 1000);
