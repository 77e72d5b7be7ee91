// RFC 8628 end to end over loopback HTTP: the device authorization endpoint, the verification page (walked with the
// HTTP agent, and in a real Chromium), polling at /token with every error of §3.5, single use, and the guessing throttle.
import type { Page, Response as PageResponse } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/lib/clock.js';
import { DEVICE_CODE_GRANT_TYPE } from '../../src/protocol/device/authorize-device.js';
import { authorizeOverHttp, createAuthorizationClient, createTestUser, PASSWORD, type AuthorizationClient } from '../support/authorization-fixtures.js';
import { describeBrowser, launchBrowser, saveScreenshot } from '../support/browser.js';
import { HttpAgent, hiddenField } from '../support/http-agent.js';
import { expectAccessiblePage } from '../support/page-checks.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { postForm, type FormResponse } from '../support/token-fixtures.js';

interface DeviceAuthorization {
  device_code: string;
  user_code: string;
  verification_uri: string;
  verification_uri_complete: string;
  expires_in: number;
  interval: number;
}

const deviceClient = (server: TestServer, extra: { grantTypes?: string[] } = {}): Promise<AuthorizationClient> =>
  createAuthorizationClient(server, {
    public: true,
    redirectUris: [],
    metadata: { client_name: 'Living Room TV', grant_types: extra.grantTypes ?? [DEVICE_CODE_GRANT_TYPE, 'refresh_token'], response_types: [] },
  });

async function startDeviceAuthorization(server: TestServer, client: AuthorizationClient, scope = 'openid profile offline_access'): Promise<DeviceAuthorization> {
  const response = await postForm(`${server.url}/device_authorization`, { client_id: client.clientId, scope });
  expect(response.status, response.text).toBe(200);
  return response.body as unknown as DeviceAuthorization;
}

/** One poll, as a device would send it (RFC 8628 §3.4). */
const poll = (server: TestServer, client: AuthorizationClient, deviceCode: string): Promise<FormResponse> =>
  postForm(`${server.url}/token`, { grant_type: DEVICE_CODE_GRANT_TYPE, device_code: deviceCode, client_id: client.clientId });

/** The verification page over HTTP: type the code, then sign in and decide on the interaction's pages. */
async function verifyOverHttp(server: TestServer, userCode: string, consent: 'allow' | 'deny'): Promise<string> {
  const agent = new HttpAgent(server.url);
  const entry = await agent.get('/device');
  const csrf = hiddenField(await entry.text(), 'csrf_token') as string;
  const submitted = await agent.post('/device', { csrf_token: csrf, user_code: userCode });
  expect(submitted.status).toBe(303);
  const done = await authorizeOverHttp(agent, submitted.headers.get('location') as string, { consent });
  return done.text();
}

describe('RFC 8628 over HTTP (injected clock)', () => {
  const clock = new ManualClock(Date.now());
  let server: TestServer;
  let client: AuthorizationClient;

  beforeAll(async () => {
    server = await startTestServer({ clock });
    await createTestUser(server);
    client = await deviceClient(server);
  });
  afterAll(() => server?.close());

  it('RFC 8628 §4: discovery names the device authorization endpoint and the grant type', async () => {
    const metadata = (await (await fetch(`${server.url}/.well-known/oauth-authorization-server`)).json()) as Record<string, unknown>;
    expect(metadata.device_authorization_endpoint).toBe(`${server.issuer}/device_authorization`);
    expect(metadata.grant_types_supported).toContain(DEVICE_CODE_GRANT_TYPE);
  });

  it('RFC 8628 §3.2: device_code, user_code as XXXX-XXXX from the unambiguous alphabet, both verification URIs, expires_in 600, interval 5', async () => {
    const started = await startDeviceAuthorization(server, client);
    expect(started.device_code).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(started.user_code).toMatch(/^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/);
    expect(started.verification_uri).toBe(`${server.issuer}/device`);
    expect(started.verification_uri_complete).toBe(`${server.issuer}/device?user_code=${started.user_code}`);
    expect([started.expires_in, started.interval]).toEqual([600, 5]);
  });

  it('RFC 8628 §3.1: a client without the grant type is unauthorized_client; an unknown scope invalid_scope; a JSON body 415', async () => {
    const other = await deviceClient(server, { grantTypes: ['refresh_token'] });
    const refused = await postForm(`${server.url}/device_authorization`, { client_id: other.clientId });
    expect([refused.status, refused.body.error]).toEqual([400, 'unauthorized_client']);
    const scope = await postForm(`${server.url}/device_authorization`, { client_id: client.clientId, scope: 'admin' });
    expect(scope.body.error).toBe('invalid_scope');
    const json = await fetch(`${server.url}/device_authorization`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ client_id: client.clientId }) });
    expect(json.status).toBe(415);
  });

  it('RFC 8628 §3.5: authorization_pending, then slow_down when polled faster than the interval, which grows by 5 s and stays grown', async () => {
    const { device_code } = await startDeviceAuthorization(server, client);
    expect((await poll(server, client, device_code)).body.error).toBe('authorization_pending');
    clock.advance(1000);
    expect((await poll(server, client, device_code)).body.error).toBe('slow_down'); // interval now 10 s
    clock.advance(6000);
    expect((await poll(server, client, device_code)).body.error).toBe('slow_down'); // 6 s < 10 s; interval now 15 s
    clock.advance(15_000);
    expect((await poll(server, client, device_code)).body.error).toBe('authorization_pending');
  });

  it('RFC 8628 §3.3 and §3.5: approved with the code typed in lower case without the dash, tokens with id_token and refresh_token; the device code is single-use', async () => {
    const { device_code, user_code } = await startDeviceAuthorization(server, client);
    const page = await verifyOverHttp(server, user_code.replace('-', '').toLowerCase(), 'allow');
    expect(page).toContain('Device connected');
    clock.advance(5000);
    const tokens = await poll(server, client, device_code);
    expect(tokens.status, tokens.text).toBe(200);
    expect(tokens.body).toMatchObject({ token_type: 'Bearer', scope: 'openid profile offline_access' });
    expect(typeof tokens.body.id_token).toBe('string');
    expect(typeof tokens.body.refresh_token).toBe('string');
    const idClaims = JSON.parse(Buffer.from((tokens.body.id_token as string).split('.')[1] as string, 'base64url').toString()) as Record<string, unknown>;
    expect(idClaims).toMatchObject({ iss: server.issuer, aud: client.clientId, name: 'Alice Example' });

    clock.advance(5000);
    const again = await poll(server, client, device_code);
    expect([again.status, again.body.error]).toEqual([400, 'invalid_grant']);
    // The same user code cannot be approved twice either.
    const replay = await verifyOverHttpEntry(server, user_code);
    expect(replay).toContain('That code is not valid or has expired');
  });

  it('RFC 8628 §3.5: a denied request answers access_denied', async () => {
    const { device_code, user_code } = await startDeviceAuthorization(server, client);
    expect(await verifyOverHttp(server, user_code, 'deny')).toContain('Request denied');
    clock.advance(5000);
    const denied = await poll(server, client, device_code);
    expect([denied.status, denied.body.error]).toEqual([403, 'access_denied']);
  });

  it('RFC 8628 §3.5: past expires_in the device code answers expired_token, and the user code is no longer accepted', async () => {
    const { device_code, user_code } = await startDeviceAuthorization(server, client);
    clock.advance(601_000);
    expect((await poll(server, client, device_code)).body.error).toBe('expired_token');
    expect(await verifyOverHttpEntry(server, user_code)).toContain('That code is not valid or has expired');
  });

  it('RFC 8628 §3.5: another client cannot redeem the device code', async () => {
    const { device_code } = await startDeviceAuthorization(server, client);
    const other = await deviceClient(server);
    expect((await poll(server, other, device_code)).body.error).toBe('invalid_grant');
  });

  it('RFC 8628 §5.1: wrong user codes from one address are throttled with growing delays', async () => {
    clock.advance(61 * 60_000); // earlier tests' wrong codes fall out of the window
    const agent = new HttpAgent(server.url);
    const csrf = hiddenField(await (await agent.get('/device')).text(), 'csrf_token') as string;
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++) statuses.push((await agent.post('/device', { csrf_token: csrf, user_code: 'BBBB-BBBB' })).status);
    expect(statuses).toEqual(Array(10).fill(400));
    const throttled = await agent.post('/device', { csrf_token: csrf, user_code: 'BBBB-BBBB' });
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get('retry-after')).toBe('1');
    clock.advance(1000);
    const released = await agent.post('/device', { csrf_token: csrf, user_code: 'BBBB-BBBB' });
    expect(released.status).toBe(400);
    expect((await agent.post('/device', { csrf_token: csrf, user_code: 'BBBB-BBBB' })).headers.get('retry-after')).toBe('2'); // the delay doubles
  });

  it('OWASP CSRF: the code form without the cookie-bound token is refused', async () => {
    const agent = new HttpAgent(server.url);
    await agent.get('/device');
    const refused = await agent.post('/device', { csrf_token: 'forged', user_code: 'BBBB-BBBB' });
    expect(refused.status).toBe(403);
  });

  it('clean-up: expired device codes are swept', async () => {
    await startDeviceAuthorization(server, client);
    clock.advance(700_000);
    const deleted = await server.server.deps.storage.deviceCodes.deleteExpired(clock.now(), 1000);
    expect(deleted).toBeGreaterThan(0);
  });
});

/** Posts a user code on a fresh verification page and returns the page shown. */
async function verifyOverHttpEntry(server: TestServer, userCode: string): Promise<string> {
  const agent = new HttpAgent(server.url);
  const csrf = hiddenField(await (await agent.get('/device')).text(), 'csrf_token') as string;
  return (await agent.post('/device', { csrf_token: csrf, user_code: userCode })).text();
}

describeBrowser('Chromium: the device flow (RFC 8628) while a CLI-like client polls', () => {
  let server: TestServer;
  let client: AuthorizationClient;

  beforeAll(async () => {
    server = await startTestServer();
    await createTestUser(server);
    client = await deviceClient(server);
  });
  afterAll(() => server?.close());

  /** A device's polling loop (RFC 8628 §3.5): waits the interval, adds 5 s on slow_down, stops on anything final. */
  async function pollUntilDone(started: DeviceAuthorization, log: string[], pollFirstTooFast: boolean): Promise<FormResponse> {
    let interval = started.interval;
    let tooFast = pollFirstTooFast;
    for (;;) {
      const answer = await poll(server, client, started.device_code);
      log.push(answer.status === 200 ? 'tokens' : String(answer.body.error));
      if (answer.body.error === 'slow_down') interval += 5;
      else if (answer.body.error !== 'authorization_pending') return answer;
      if (tooFast) {
        tooFast = false;
        continue; // deliberately at once, to be told slow_down
      }
      await new Promise((resolve) => setTimeout(resolve, interval * 1000));
    }
  }

  async function submit(page: Page, selector: string): Promise<PageResponse | null> {
    const [response] = await Promise.all([page.waitForNavigation(), page.click(selector)]);
    return response;
  }

  it('Done when: the person enters the code (lower case, no dash), signs in and approves; the polling client gets tokens after slow_down', async () => {
    const started = await startDeviceAuthorization(server, client);
    const log: string[] = [];
    const polling = pollUntilDone(started, log, true);

    const browser = await launchBrowser();
    try {
      const page = await (await browser.newContext()).newPage();
      const entry = await page.goto(started.verification_uri);
      await expect(page.locator('h1').textContent()).resolves.toBe('Connect a device');
      await expectAccessiblePage(page, entry);
      await saveScreenshot(page, 'device-entry');
      await page.fill('#user_code', started.user_code.replace('-', '').toLowerCase());
      const login = await submit(page, 'button[type="submit"]');
      await expect(page.locator('h1').textContent()).resolves.toBe('Sign in');
      await expectAccessiblePage(page, login);
      await page.fill('#identifier', 'alice');
      await page.fill('#password', PASSWORD);
      const consent = await submit(page, 'button[type="submit"]');
      await expect(page.locator('h1').textContent()).resolves.toBe('Living Room TV wants to access your account');
      await expectAccessiblePage(page, consent);
      await saveScreenshot(page, 'device-consent');
      const done = await submit(page, 'button[value="allow"]');
      await expect(page.locator('h1').textContent()).resolves.toBe('Device connected');
      await expectAccessiblePage(page, done);
      await saveScreenshot(page, 'device-done');

      const tokens = await polling;
      expect(tokens.status, tokens.text).toBe(200);
      expect(typeof tokens.body.id_token).toBe('string');
      expect(log.slice(0, 2)).toEqual(['authorization_pending', 'slow_down']);
      expect(log.at(-1)).toBe('tokens');
    } finally {
      await browser.close();
    }
  });

  it('verification_uri_complete pre-fills the code; the person still confirms it; deny answers access_denied', async () => {
    const started = await startDeviceAuthorization(server, client);
    const log: string[] = [];
    const polling = pollUntilDone(started, log, false);
    const browser = await launchBrowser();
    try {
      const page = await (await browser.newContext()).newPage();
      await page.goto(started.verification_uri_complete);
      await expect(page.locator('#user_code').inputValue()).resolves.toBe(started.user_code);
      await submit(page, 'button[type="submit"]');
      await page.fill('#identifier', 'alice');
      await page.fill('#password', PASSWORD);
      await submit(page, 'button[type="submit"]');
      const denied = await submit(page, 'button[value="deny"]');
      await expect(page.locator('h1').textContent()).resolves.toBe('Request denied');
      await expectAccessiblePage(page, denied);
      const answer = await polling;
      expect([answer.status, answer.body.error]).toEqual([403, 'access_denied']);
    } finally {
      await browser.close();
    }
  });
});
