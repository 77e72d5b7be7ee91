// Session expiry (OWASP Session Management; Back-Channel Logout 1.0 §2.7): a session idle past its lifetime is ended by
// the sweeper like a logout, with the injected clock; prompt=none then answers login_required (OIDC Core §3.1.2.6).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/lib/clock.js';
import { systemRandom } from '../../src/lib/random.js';
import { collectGarbage } from '../../src/protocol/maintenance/collect-garbage.js';
import { expirySweepers } from '../../src/protocol/maintenance/sweepers.js';
import { authorizeOverHttp, codeRequest, createAuthorizationClient, createTestUser, responseParams, type AuthorizationClient } from '../support/authorization-fixtures.js';
import { HttpAgent } from '../support/http-agent.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

describe('session lifetimes end the session the way logout does', () => {
  const clock = new ManualClock(Date.now());
  let server: TestServer;
  let client: AuthorizationClient;
  beforeAll(async () => {
    server = await startTestServer({ clock, env: { LATCHKEY_SESSION_IDLE_SECONDS: '600', LATCHKEY_GC_INTERVAL_SECONDS: '0' } });
    await createTestUser(server);
    client = await createAuthorizationClient(server, { metadata: { backchannel_logout_uri: 'https://rp.example/backchannel' } });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('Done when: an idle session past its lifetime (injected clock) is gone, a back-channel logout is queued, and prompt=none gets login_required', async () => {
    const agent = new HttpAgent(server.url);
    const response = await authorizeOverHttp(agent, codeRequest(client).path);
    expect(responseParams(response.headers.get('location') as string).get('code')).toBeTruthy();
    const { storage } = server.server.deps;
    const [session] = await storage.sessions.listBySubject((await storage.users.findByUsername('alice'))?.sub as string);
    expect(session).toBeDefined();

    clock.advance(601_000);
    const deleted = await collectGarbage(expirySweepers(storage, { clock, random: systemRandom, idleMs: 600_000 }), { now: clock.now(), batchSize: 100 });
    expect(deleted.sessions).toBe(1);
    expect(await storage.sessions.find(session?.id as string)).toBeUndefined();
    expect((await storage.backchannelLogouts.pending()).map((n) => [n.clientId, n.sessionId])).toEqual([[client.clientId, session?.id]]);

    const silent = await agent.get(codeRequest(client, { prompt: 'none' }).path);
    expect(responseParams(silent.headers.get('location') as string).get('error')).toBe('login_required');
  });

  it('OIDC Core §3.1.2.1: max_age=0 and prompt=login ask for the password again even with a live session', async () => {
    const agent = new HttpAgent(server.url);
    await authorizeOverHttp(agent, codeRequest(client).path);
    for (const overrides of [{ max_age: '0' }, { prompt: 'login' }]) {
      clock.advance(2000);
      const page = await agent.follow(await agent.get(codeRequest(client, overrides).path));
      expect(await page.text()).toContain('name="password"');
    }
  });
});
