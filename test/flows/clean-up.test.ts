// The server sweeps expired rows in the background (issue #5 item 8), on an unref'd timer.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/lib/clock.js';
import { hashSecret } from '../../src/lib/hash.js';
import { createTestClient, endpoints, type TestClient } from '../support/token-fixtures.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

const clock = new ManualClock(Date.now());
let server: TestServer;
let client: TestClient;

beforeAll(async () => {
  server = await startTestServer({ clock, env: { LATCHKEY_GC_INTERVAL_SECONDS: '1' } });
  client = await createTestClient(server);
});
afterAll(() => server.close());

describe('Issue #5 §8: background clean-up', () => {
  it('deletes expired access tokens every gc.intervalSeconds while the server runs, and keeps live ones', async () => {
    const api = endpoints(server);
    const { accessTokens } = server.server.deps.storage;
    const stored = async (token: unknown) => (await accessTokens.find(hashSecret(String(token)))) !== undefined;
    const expiring = (await api.token(client, { grant_type: 'client_credentials' })).body.access_token;
    clock.advance(601_000);
    const live = (await api.token(client, { grant_type: 'client_credentials' })).body.access_token;
    expect(await stored(expiring)).toBe(true);
    await expect.poll(() => stored(expiring), { timeout: 5_000, interval: 100 }).toBe(false);
    expect(await stored(live)).toBe(true);
  });
});
