// Fault tests (issue 9 item 7): seed a database directly, then drive a steady load of real HTTP requests at a
// `latchkey serve` process and record every outcome, including those that never got an answer.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { systemClock } from '../../src/lib/clock.js';
import { hashSecret } from '../../src/lib/hash.js';
import { systemRandom } from '../../src/lib/random.js';
import { createUser } from '../../src/protocol/users/manage-users.js';
import type { Storage } from '../../src/storage/storage.js';

/**
 * Rate limits out of the way: a fault test's load is one IP and one client, far above the defaults. Still counted
 * (a limit of 0 would skip the counter), so every request also writes its counter to the database, as in production.
 */
export const HIGH_RATE_LIMITS = JSON.stringify(
  Object.fromEntries(['token', 'introspection', 'revocation'].map((endpoint) => [endpoint, { perIp: 10_000_000, perClient: 10_000_000 }])),
);

export const REDIRECT_URI = 'https://app.example/callback';

export interface SeededClient {
  readonly clientId: string;
  /** The Authorization header value for client_secret_basic. */
  readonly basic: string;
}

/** A confidential client allowed client_credentials, refresh_token and authorization_code, with opaque access tokens. */
export async function seedClient(storage: Storage, clientId = `loader-${randomUUID().slice(0, 8)}`): Promise<SeededClient> {
  const secret = randomBytes(32).toString('base64url');
  const now = Date.now();
  await storage.clients.create({
    clientId,
    metadata: {
      redirect_uris: [REDIRECT_URI],
      grant_types: ['client_credentials', 'refresh_token', 'authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
      scope: 'read write offline_access',
    },
    policy: { accessTokenFormat: 'opaque', allowedLegacyGrants: [] },
    secretHash: hashSecret(secret),
    createdAt: now,
    updatedAt: now,
  });
  return { clientId, basic: `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}` };
}

export interface SeededCode {
  readonly code: string;
  readonly verifier: string;
}

/** `count` refresh tokens (each its own grant) and `count` authorization codes (PKCE S256) for `client`, stored as the server stores them. */
export async function seedCredentials(storage: Storage, client: SeededClient, count: number): Promise<{ refreshTokens: string[]; codes: SeededCode[] }> {
  const user = await createUser({ username: `user-${randomUUID().slice(0, 8)}`, password: 'correct horse battery staple' }, { storage, clock: systemClock, random: systemRandom });
  const now = Date.now();
  const hour = 3_600_000;
  const scope = ['offline_access', 'read'];
  const refreshTokens: string[] = [];
  const codes: SeededCode[] = [];
  for (let i = 0; i < count; i++) {
    const refreshGrant = randomUUID();
    await storage.grants.create({ id: refreshGrant, clientId: client.clientId, subject: user.sub, scope, resources: [], authTime: now, createdAt: now, expiresAt: now + hour });
    const refreshToken = randomBytes(32).toString('base64url');
    await storage.refreshTokens.save({ hash: hashSecret(refreshToken), grantId: refreshGrant, clientId: client.clientId, subject: user.sub, scope, issuedAt: now, expiresAt: now + hour, absoluteExpiresAt: now + 24 * hour });
    refreshTokens.push(refreshToken);

    const codeGrant = randomUUID();
    await storage.grants.create({ id: codeGrant, clientId: client.clientId, subject: user.sub, scope, resources: [], authTime: now, createdAt: now, expiresAt: now + hour });
    const code = randomBytes(32).toString('base64url');
    const verifier = randomBytes(32).toString('base64url');
    await storage.authorizationCodes.save({
      hash: hashSecret(code),
      clientId: client.clientId,
      grantId: codeGrant,
      subject: user.sub,
      redirectUri: REDIRECT_URI,
      redirectUriProvided: true,
      codeChallenge: createHash('sha256').update(verifier).digest('base64url'),
      scope,
      authTime: now,
      amr: ['pwd'],
      createdAt: now,
      expiresAt: now + hour, // far longer than a real code's minute: the test restarts the server in between
    });
    codes.push({ code, verifier });
  }
  return { refreshTokens, codes };
}

/** One request's fate: an HTTP answer, or why there was none (`error`: refused, reset, or over the time bound). */
export interface Outcome {
  readonly label: string;
  readonly startedAt: number;
  readonly ms: number;
  readonly status?: number;
  readonly retryAfter?: string | null;
  readonly body?: Record<string, unknown>;
  readonly text?: string;
  readonly error?: string;
}

/** "No hang": each request is abandoned (and recorded as an error) after this long. Not a speed assertion. */
export const NO_HANG_MS = 10_000;

/** Sends one request, bounded by NO_HANG_MS, and records what came back. */
export async function request(label: string, url: string, init: RequestInit = {}): Promise<Outcome> {
  const startedAt = Date.now();
  try {
    const response = await fetch(url, { ...init, signal: AbortSignal.timeout(NO_HANG_MS) });
    const text = await response.text();
    let body: Record<string, unknown> | undefined;
    try {
      body = JSON.parse(text) as Record<string, unknown>;
    } catch {
      body = undefined;
    }
    return { label, startedAt, ms: Date.now() - startedAt, status: response.status, retryAfter: response.headers.get('retry-after'), ...(body !== undefined && { body }), text };
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code;
    return { label, startedAt, ms: Date.now() - startedAt, error: `${(error as Error).name}: ${(error as Error).message}${cause === undefined ? '' : ` (${cause})`}` };
  }
}

/** A form POST with client_secret_basic. */
export function postForm(label: string, url: string, client: SeededClient, form: Record<string, string>): Promise<Outcome> {
  return request(label, url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: client.basic },
    body: new URLSearchParams(form).toString(),
  });
}

/** Runs `concurrency` loops of `step` until `stop()` is called; `stop()` resolves once every loop has finished its request. */
export function startLoad(concurrency: number, step: (worker: number) => Promise<unknown>): { stop(): Promise<void> } {
  let running = true;
  const loops = Array.from({ length: concurrency }, async (_, worker) => {
    while (running) await step(worker);
  });
  return {
    async stop() {
      running = false;
      await Promise.all(loops);
    },
  };
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `probe` until it holds, for at most `timeoutMs`. */
export async function waitUntil(what: string, probe: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(100);
  }
}

/** A compact summary of outcomes for assertion messages: label → status or error → count. */
export function tally(outcomes: readonly Outcome[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const outcome of outcomes) {
    const key = `${outcome.label} ${outcome.status ?? outcome.error ?? '?'}${outcome.body?.error === undefined ? '' : ` ${String(outcome.body.error)}`}`;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}
