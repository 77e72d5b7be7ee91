// Issue #2 "Done when", end to end: the built `latchkey` executable as real processes, over real HTTP.
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, killLeftoverProcesses, runLatchkey, startLatchkeyServer, type LatchkeyServer } from '../support/latchkey-process.js';
import { createPostgresDatabase, describePostgres } from '../support/postgres.js';
import { freePort } from '../support/test-server.js';

const root = mkdtempSync(join(tmpdir(), 'latchkey-flows-'));
let folders = 0;
const freshDataDir = (): string => join(root, `data-${++folders}`);

beforeAll(() => assertBuilt());
afterAll(async () => {
  await killLeftoverProcesses();
  rmSync(root, { recursive: true, force: true });
});

type Jwks = { keys: { kid: string; alg: string; kty: string; use: string }[] };

async function getJson<T = Record<string, unknown>>(url: string): Promise<{ status: number; headers: Headers; body: T }> {
  const response = await fetch(url);
  return { status: response.status, headers: response.headers, body: (await response.json()) as T };
}

const jwksKids = async (server: LatchkeyServer): Promise<string[]> =>
  (await getJson<Jwks>(`${server.url}/jwks`)).body.keys.map((key) => key.kid).sort();

/** Checks both discovery documents and the JWKS they point at; returns the published kids. */
async function expectDiscoveryAndJwks(server: LatchkeyServer, issuer: string): Promise<string[]> {
  for (const path of ['/.well-known/oauth-authorization-server', '/.well-known/openid-configuration']) {
    const { status, headers, body } = await getJson(`${server.url}${path}`);
    expect(status, path).toBe(200);
    expect(headers.get('content-type'), path).toMatch(/^application\/json/);
    expect(body.issuer, `${path}: RFC 8414 §3.3 / OIDC Discovery §4.3: issuer identical to the configured issuer`).toBe(issuer);
    expect(body.jwks_uri, path).toBe(`${issuer}/jwks`);
  }
  const jwks = await getJson<Jwks>(`${server.url}${new URL(`${issuer}/jwks`).pathname}`);
  expect(jwks.status).toBe(200);
  expect(jwks.body.keys.length).toBeGreaterThanOrEqual(1);
  return jwks.body.keys.map((key) => key.kid).sort();
}

// Every test starts its own processes, so the groups run concurrently: the key-refresh wait overlaps the rest.
describe.concurrent('Issue #2 "Done when", end to end', () => {
  describe('latchkey serve on the embedded default (SQLite)', () => {
    let server: LatchkeyServer;
    let issuer: string;
    beforeAll(async () => {
      server = await startLatchkeyServer({ dataDir: freshDataDir() });
      issuer = `http://localhost:${server.port}`;
    });
    afterAll(async () => {
      await server?.stop();
    });

    it('RFC 8414 §3 / OIDC Discovery §4: serves both discovery documents with issuer equal to the configured issuer', async () => {
      await expectDiscoveryAndJwks(server, issuer);
    });

    it('RFC 7517 §5: /jwks has at least one key per signing algorithm, cacheable (Cache-Control public, max-age)', async () => {
      const { status, headers, body } = await getJson<Jwks>(`${server.url}/jwks`);
      expect(status).toBe(200);
      expect(headers.get('content-type')).toMatch(/^application\/jwk-set\+json/);
      expect(headers.get('cache-control')).toMatch(/\bpublic\b/);
      expect(headers.get('cache-control')).toMatch(/\bmax-age=[1-9]\d*\b/);
      expect(body.keys.map((key) => key.alg).sort()).toEqual(['ES256', 'RS256']); // the access-token and id_token defaults
      for (const key of body.keys) expect(key).not.toHaveProperty('d');
    });

    it('Issue #2 §7: /healthz and /readyz are 200 when the database answers and keys are loaded', async () => {
      expect((await getJson(`${server.url}/healthz`)).status).toBe(200);
      const ready = await getJson(`${server.url}/readyz`);
      expect(ready.status).toBe(200);
      expect(ready.body).toEqual({ status: 'ready', checks: { database: 'ok', signingKeys: 'ok' } });
    });

    it('Issue #2 §8: an unknown path is a JSON 404 with no stack trace', async () => {
      const response = await fetch(`${server.url}/no/such/path?x=1`);
      const text = await response.text();
      expect(response.status).toBe(404);
      expect(response.headers.get('content-type')).toMatch(/^application\/json/);
      expect(JSON.parse(text)).toEqual({ error: 'not_found', error_description: 'no such endpoint' });
      expect(text).not.toMatch(/stack|\s+at /);
    });

    it('Issue #2 §7: echoes a well-formed X-Request-Id and makes one up otherwise', async () => {
      const echoed = await fetch(`${server.url}/healthz`, { headers: { 'x-request-id': 'trace-123' } });
      expect(echoed.headers.get('x-request-id')).toBe('trace-123');
      const replaced = await fetch(`${server.url}/healthz`, { headers: { 'x-request-id': 'bad id\twith spaces' } });
      expect(replaced.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    });
  });

  describe('signing keys survive restarts and rotate while the server runs', () => {
    it('after a restart on the same data folder (SIGTERM, start again) the JWKS has the same key ids', async () => {
      const dataDir = freshDataDir();
      const first = await startLatchkeyServer({ dataDir });
      const before = await expectDiscoveryAndJwks(first, `http://localhost:${first.port}`);
      expect(await first.stop()).toEqual({ code: 0, signal: null });

      const second = await startLatchkeyServer({ dataDir });
      try {
        expect(await expectDiscoveryAndJwks(second, `http://localhost:${second.port}`)).toEqual(before);
        expect(second.process.stdout).not.toContain('Created a master key'); // the key file from the first start is reused
      } finally {
        await second.stop();
      }
    });

    it('`latchkey keys rotate` in another process puts the new kids in the running server JWKS within its key refresh', async () => {
      const dataDir = freshDataDir();
      const server = await startLatchkeyServer({ dataDir });
      try {
        const before = await jwksKids(server);
        const rotate = await runLatchkey(['keys', 'rotate'], { LATCHKEY_DATA_DIR: dataDir });
        expect(rotate.stderr).toBe('');
        expect(rotate.code).toBe(0);
        const rotated = rotate.stdout.trim().split('\n').map((line) => line.split(' ')[0] as string);
        expect(rotated).toHaveLength(2); // one per configured algorithm (ES256, RS256)
        const rotatedAt = Date.now();

        // The KeyRing reloads at most every 10 s: poll until the new kids show, allowing the refresh plus slack.
        let kids = before;
        while (!rotated.every((kid) => kids.includes(kid))) {
          expect(Date.now() - rotatedAt, `new kids ${rotated.join(', ')} not in the JWKS: ${kids.join(', ')}`).toBeLessThan(30_000);
          await new Promise((resolve) => setTimeout(resolve, 100));
          kids = await jwksKids(server);
        }
        expect(kids).toEqual([...before, ...rotated].sort()); // the old keys stay published
      } finally {
        await server.stop();
      }
    });
  });

  describe('bad configuration fails at start with one clear line and no stack trace', () => {
    const expectOneLineFailure = (result: Awaited<ReturnType<typeof runLatchkey>>, pattern: RegExp): void => {
      expect(result.code, `exit code; stderr: ${result.stderr}`).not.toBe(0);
      expect(result.code).not.toBeNull(); // it exited by itself, it was not killed for hanging
      const lines = result.stderr.trimEnd().split('\n');
      expect(lines, result.stderr).toHaveLength(1);
      expect(lines[0]).toMatch(pattern);
      expect(`${result.stdout}${result.stderr}`).not.toContain('    at ');
    };
    const serve = (env: Record<string, string>) => runLatchkey(['serve'], { LATCHKEY_DATA_DIR: freshDataDir(), LATCHKEY_HOST: '127.0.0.1', LATCHKEY_PORT: '0', ...env });

    it('RFC 8414 §2: a non-URL issuer', async () => {
      expectOneLineFailure(await serve({ LATCHKEY_ISSUER: 'not a url' }), /^latchkey: LATCHKEY_ISSUER: must be an absolute URL/);
    });

    it('RFC 8414 §2: an http issuer on a public host', async () => {
      expectOneLineFailure(await serve({ LATCHKEY_ISSUER: 'http://auth.example.com' }), /^latchkey: LATCHKEY_ISSUER: must use https/);
    });

    it('Issue #2 §3: an unknown database scheme', async () => {
      expectOneLineFailure(await serve({ LATCHKEY_DATABASE_URL: 'mysql://x' }), /^latchkey: LATCHKEY_DATABASE_URL: must be sqlite:PATH or postgres:\/\//);
    });

    it('Issue #2 §3: an unreachable database', async () => {
      const port = await freePort(); // free a moment ago: nothing listens there
      const result = await serve({ LATCHKEY_DATABASE_URL: `postgres://latchkey:secret@127.0.0.1:${port}/x` });
      expectOneLineFailure(result, new RegExp(`^latchkey: LATCHKEY_DATABASE_URL: cannot reach the database at postgres://latchkey:\\*\\*\\*@127\\.0\\.0\\.1:${port}/x: ECONNREFUSED$`));
      expect(result.stderr).not.toContain('secret');
    });

    it('Issue #2 §3: a misspelt flag', async () => {
      expectOneLineFailure(await runLatchkey(['serve', '--prot', '8080'], { LATCHKEY_DATA_DIR: freshDataDir(), LATCHKEY_PORT: '0' }), /^latchkey: unknown flag --prot/);
    });
  });

  describe('Issue #2 §2: SIGTERM while a request is in flight', () => {
    it('lets the request complete, then exits 0', async () => {
      // debug: "incoming request" is a debug line (src/http/request-log.ts)
      const server = await startLatchkeyServer({ dataDir: freshDataDir(), env: () => ({ LATCHKEY_LOG_LEVEL: 'debug' }) });
      const socket = connect(server.port, '127.0.0.1');
      try {
        await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
        let received = '';
        socket.setEncoding('utf8').on('data', (chunk: string) => (received += chunk));
        const response = new Promise<string>((resolve, reject) => {
          socket.on('data', () => {
            const end = received.indexOf('\r\n\r\n');
            const length = Number(/\r\ncontent-length: (\d+)/i.exec(received)?.[1] ?? Number.NaN);
            if (end !== -1 && received.length >= end + 4 + length) resolve(received);
          });
          socket.once('error', reject);
          socket.once('close', () => reject(new Error(`connection closed before a full response: ${JSON.stringify(received)}`)));
        });
        response.catch(() => undefined); // awaited below; this keeps an early failure from also reporting it unhandled

        // A client that is slow to send its body: the headers and half of the body now, the rest after SIGTERM.
        const body = JSON.stringify({ grant_type: 'client_credentials', padding: 'x'.repeat(200) });
        socket.write(
          `POST /in-flight HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nContent-Type: application/json\r\n` +
            `Content-Length: ${Buffer.byteLength(body)}\r\nX-Request-Id: in-flight-1\r\n\r\n${body.slice(0, 100)}`,
        );
        await server.process.waitForLog((line) => line.reqId === 'in-flight-1' && line.msg === 'incoming request', 'the server has the request');
        server.process.child.kill('SIGTERM');
        await server.process.waitForLog((line) => line.signal === 'SIGTERM', 'the server is shutting down');
        expect(received).toBe(''); // still waiting for the body
        socket.write(body.slice(100));

        const text = await response;
        expect(text).toMatch(/^HTTP\/1\.1 404 /);
        expect(text).toMatch(/\r\nx-request-id: in-flight-1\r\n/i);
        expect(JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4))).toEqual({ error: 'not_found', error_description: 'no such endpoint' });
        // The client keeps its connection open (keep-alive): the server must still finish shutting down, and cleanly.
        expect(await server.process.exited).toEqual({ code: 0, signal: null });
      } finally {
        socket.destroy();
        await server.stop();
      }
    });
  });

  describePostgres('LATCHKEY_DATABASE_URL=postgres://… serves the same', () => {
    it('serves both discovery documents and the JWKS, with the same kids after a restart', async () => {
      const databaseUrl = await createPostgresDatabase();
      const dataDir = freshDataDir(); // holds the master key file only
      const env = () => ({ LATCHKEY_DATABASE_URL: databaseUrl });
      const first = await startLatchkeyServer({ dataDir, env });
      const before = await expectDiscoveryAndJwks(first, `http://localhost:${first.port}`);
      expect((await getJson(`${first.url}/readyz`)).status).toBe(200);
      expect(await first.stop()).toEqual({ code: 0, signal: null });

      const second = await startLatchkeyServer({ dataDir, env });
      try {
        expect(await expectDiscoveryAndJwks(second, `http://localhost:${second.port}`)).toEqual(before);
      } finally {
        await second.stop();
      }
    });

    it('a second process on the same database publishes the same keys (scale-out)', async () => {
      const databaseUrl = await createPostgresDatabase();
      const dataDir = freshDataDir();
      const env = () => ({ LATCHKEY_DATABASE_URL: databaseUrl });
      const first = await startLatchkeyServer({ dataDir, env });
      const second = await startLatchkeyServer({ dataDir, env });
      try {
        expect(await jwksKids(second)).toEqual(await jwksKids(first));
      } finally {
        await Promise.all([first.stop(), second.stop()]);
      }
    });
  });
});
