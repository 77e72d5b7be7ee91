// Back-Channel Logout 1.0 §2.7 with a durable queue: a notification pending when `latchkey serve` is killed (SIGKILL,
// the client's endpoint down at first) is delivered after a restart. Also the admin side: `latchkey session list`,
// `latchkey session revoke --user` from another process, `latchkey grant list|revoke`.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { afterAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/lib/clock.js';
import { hashSecret } from '../../src/lib/hash.js';
import { systemRandom } from '../../src/lib/random.js';
import { createUser } from '../../src/protocol/users/manage-users.js';
import { openStorage } from '../../src/storage/open-storage.js';
import { authorizeOverHttp, PASSWORD, pkcePair, responseParams } from '../support/authorization-fixtures.js';
import { startBackchannelReceiver } from '../support/backchannel-receiver.js';
import { HttpAgent } from '../support/http-agent.js';
import { killLeftoverProcesses, runLatchkey, startLatchkeyServer } from '../support/latchkey-process.js';
import { freePort } from '../support/test-server.js';

const EVENT = 'http://schemas.openid.net/event/backchannel-logout';

describe('Back-Channel Logout §2.7: the queue is durable', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'latchkey-restart-'));
  afterAll(async () => {
    await killLeftoverProcesses();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('Done when: a notification pending when the server is killed (SIGKILL) is delivered after it starts again', async () => {
    const receiverPort = await freePort(); // nothing listens there yet: the client's endpoint is down
    const backchannelUri = `http://127.0.0.1:${receiverPort}/backchannel`;
    const secret = 'a-client-secret-that-is-long-enough-0123456789';
    const storage = await openStorage(`sqlite:${join(dataDir, 'latchkey.db')}`);
    const now = Date.now();
    await createUser({ username: 'alice', password: PASSWORD }, { storage, clock: systemClock, random: systemRandom });
    await storage.clients.create({
      clientId: 'restart-app',
      metadata: {
        client_name: 'Restart App',
        redirect_uris: ['https://app.example/callback'],
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
        backchannel_logout_uri: backchannelUri,
      },
      policy: { accessTokenFormat: 'jwt', allowedLegacyGrants: [], skipConsent: true },
      secretHash: hashSecret(secret),
      createdAt: now,
      updatedAt: now,
    });
    await storage.close();
    const env = () => ({ LATCHKEY_BACKCHANNEL_ALLOW_LOOPBACK: 'true', LATCHKEY_BACKCHANNEL_POLL_MS: '100', LATCHKEY_LOG_LEVEL: 'info' });
    const cli = { LATCHKEY_DATA_DIR: dataDir };

    const first = await startLatchkeyServer({ dataDir, env });
    const agent = new HttpAgent(first.url);
    const pkce = pkcePair();
    const params = { response_type: 'code', client_id: 'restart-app', redirect_uri: 'https://app.example/callback', scope: 'openid', state: 's', nonce: 'n', code_challenge: pkce.challenge, code_challenge_method: 'S256' };
    const callback = await authorizeOverHttp(agent, `/authorize?${new URLSearchParams(params).toString()}`);
    expect([callback.status, callback.status === 303 ? '' : await callback.text()]).toEqual([303, '']);
    const code = responseParams(callback.headers.get('location') as string).get('code');
    const token = await fetch(`${first.url}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`restart-app:${secret}`).toString('base64')}` },
      body: new URLSearchParams({ grant_type: 'authorization_code', code: code as string, redirect_uri: 'https://app.example/callback', code_verifier: pkce.verifier }).toString(),
    });
    expect(token.status).toBe(200);

    // The admin side, from another process: list alice's sessions and grants, then end her sessions.
    const sessions = JSON.parse((await runLatchkey(['session', 'list', '--user', 'alice', '--json'], cli)).stdout) as { id: string }[];
    expect(sessions).toHaveLength(1);
    const grants = JSON.parse((await runLatchkey(['grant', 'list', '--user', 'alice', '--json'], cli)).stdout) as { id: string; clientId: string }[];
    expect(grants.map((g) => g.clientId)).toEqual(['restart-app']);
    const revoked = await runLatchkey(['session', 'revoke', '--user', 'alice'], cli);
    expect([revoked.code, revoked.stdout.trim()]).toEqual([0, '1 session(s) of alice ended']);

    // The running server tries, finds the endpoint down, and schedules a retry; then it is killed.
    await first.process.waitForLog((line) => line.msg === 'back-channel logout not delivered' && line.result === 'retrying', 'a failed attempt');
    first.process.child.kill('SIGKILL');
    expect((await first.process.exited).signal).toBe('SIGKILL');

    const receiver = await startBackchannelReceiver(receiverPort);
    try {
      const second = await startLatchkeyServer({ dataDir, env });
      const logoutToken = await receiver.nextToken(1, 20_000);
      const { payload, protectedHeader } = await jwtVerify(logoutToken, createRemoteJWKSet(new URL(`${second.url}/jwks`)), { audience: 'restart-app', typ: 'logout+jwt' });
      expect(protectedHeader.typ).toBe('logout+jwt');
      expect(payload).toMatchObject({ sid: sessions[0]?.id, events: { [EVENT]: {} } });
      expect(receiver.tokens).toHaveLength(1);

      const grant = await runLatchkey(['grant', 'revoke', grants[0]?.id as string], cli);
      expect(grant.code).toBe(0);
      expect(await second.stop()).toMatchObject({ code: 0 });
    } finally {
      await receiver.close();
    }
  }, 90_000);
});
