// SSRF through the other client-supplied URLs (issue 9 item 3; Keycloak CVE-2020-10770, CVE-2026-1180): back-channel
// logout is POSTed through the outbound guard (src/lib/outbound/), so a backchannel_logout_uri on loopback or the cloud
// metadata address is not contacted unless the operator opted in; a request_uri other than PAR's urn: and a
// sector_identifier_uri are never fetched at all.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codeRequest, createAuthorizationClient } from '../../support/authorization-fixtures.js';
import { startTestServer, type TestServer } from '../../support/test-server.js';

interface Listener {
  readonly origin: string;
  readonly seen: IncomingMessage[];
  close(): Promise<void>;
}

/** A listener on 127.0.0.1 that records every request made to it and answers 200. */
async function startListener(): Promise<Listener> {
  const seen: IncomingMessage[] = [];
  const server: Server = createServer((request, response) => {
    seen.push(request);
    request.resume();
    request.on('end', () => response.writeHead(200).end('{}'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

let listener: Listener;
beforeAll(async () => {
  listener = await startListener();
});
afterAll(async () => {
  await listener?.close();
});

/** Queues one back-channel logout for a client registered (bypassing registration checks) with `uri`; waits for the first attempt. */
async function notifyAndWait(server: TestServer, uri: string): Promise<{ attempts: number }> {
  const client = await createAuthorizationClient(server, { metadata: { backchannel_logout_uri: uri } });
  const now = server.server.deps.clock.now();
  const id = `n-${client.clientId}`;
  await server.server.deps.storage.backchannelLogouts.enqueue([{ id, clientId: client.clientId, subject: 'user-x', createdAt: now, attempts: 0, nextAttemptAt: now }]);
  for (let waited = 0; waited < 30_000; waited += 50) {
    const row = (await server.server.deps.storage.backchannelLogouts.pending()).find((pending) => pending.id === id);
    if (row === undefined) return { attempts: -1 }; // delivered
    if (row.attempts > 0) return { attempts: row.attempts };
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('the notification was never attempted');
}

describe('Back-channel logout through the outbound guard (issue 9 item 3)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ env: { LATCHKEY_BACKCHANNEL_POLL_MS: '50' } });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('a backchannel_logout_uri on 127.0.0.1 is not contacted without the opt-in: the attempt fails, the listener sees nothing', async () => {
    expect(await notifyAndWait(server, `${listener.origin}/backchannel`)).toEqual({ attempts: 1 });
    expect(await notifyAndWait(server, `https://127.0.0.1:${new URL(listener.origin).port}/backchannel`)).toEqual({ attempts: 1 });
    expect(await notifyAndWait(server, `https://localhost:${new URL(listener.origin).port}/backchannel`)).toEqual({ attempts: 1 }); // a name resolving to loopback
    expect(listener.seen).toHaveLength(0);
  });

  it('the cloud metadata address (169.254.169.254) and private ranges are refused before any connection', async () => {
    for (const uri of ['https://169.254.169.254/latest/meta-data/', 'https://10.0.0.1/logout', 'https://[::ffff:127.0.0.1]/logout', 'http://169.254.169.254/']) {
      expect(await notifyAndWait(server, uri), uri).toEqual({ attempts: 1 });
    }
  });
});

describe('Back-channel logout to loopback with the operator opt-in (LATCHKEY_BACKCHANNEL_ALLOW_LOOPBACK)', () => {
  it('is delivered: the same listener gets the logout token (so the refusals above are the guard, not a dead listener)', async () => {
    const server = await startTestServer({ env: { LATCHKEY_BACKCHANNEL_POLL_MS: '50', LATCHKEY_BACKCHANNEL_ALLOW_LOOPBACK: 'true' } });
    try {
      const before = listener.seen.length;
      expect(await notifyAndWait(server, `${listener.origin}/backchannel`)).toEqual({ attempts: -1 });
      expect(listener.seen.length).toBe(before + 1);
      expect(listener.seen.at(-1)?.method).toBe('POST');
      // the opt-in covers loopback only: the metadata address stays refused
      expect(await notifyAndWait(server, 'http://169.254.169.254/')).toEqual({ attempts: 1 });
    } finally {
      await server.close();
    }
  });
});

describe('Keycloak CVE-2026-1180: request_uri and sector_identifier_uri are never fetched', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ env: { LATCHKEY_REGISTRATION: 'open' } });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('a request_uri that is not a PAR urn: is request_uri_not_supported, and nothing is fetched', async () => {
    const client = await createAuthorizationClient(server);
    const before = listener.seen.length;
    for (const requestUri of [`${listener.origin}/request.jwt`, 'https://169.254.169.254/latest/meta-data/']) {
      const response = await fetch(`${server.url}${codeRequest(client, { request_uri: requestUri }).path}`, { redirect: 'manual' });
      expect(response.status).toBeLessThan(500);
      const location = response.headers.get('location') ?? '';
      const error = location === '' ? await response.text() : new URL(location).searchParams.get('error');
      expect(error).toContain('request_uri_not_supported');
    }
    expect(listener.seen.length).toBe(before);
  });

  it('registration with a sector_identifier_uri does not fetch it', async () => {
    const before = listener.seen.length;
    const response = await fetch(`${server.url}/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ redirect_uris: ['https://app.example/cb'], sector_identifier_uri: `${listener.origin}/sector.json`, subject_type: 'pairwise' }),
    });
    expect(response.status).toBeLessThan(500);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(listener.seen.length).toBe(before);
  });
});
