// End to end in a real Chromium: sign in through a client, sign out through the end_session_endpoint (OIDC RP-Initiated
// Logout 1.0), the client's back-channel endpoint gets a logout token jose verifies (Back-Channel Logout 1.0 §2.4), the
// session is gone for prompt=none; the account page's "remove access" ends the app's tokens (RFC 7009 §2.1).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import * as oidc from 'openid-client';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startBackchannelReceiver, type BackchannelReceiver } from '../support/backchannel-receiver.js';
import { describeBrowser, launchBrowser, saveScreenshot } from '../support/browser.js';
import { expectAccessiblePage } from '../support/page-checks.js';
import { startRelyingParty, type RelyingParty } from '../support/relying-party.js';
import { latchkeyCommand } from '../support/cli-in-process.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

const PASSWORD = 'a long and memorable passphrase';
const EVENT = 'http://schemas.openid.net/event/backchannel-logout';

describeBrowser('Chromium: RP-initiated logout, back-channel logout and the account page', () => {
  let server: TestServer;
  let rp: RelyingParty;
  let receiver: BackchannelReceiver;
  let browser: Browser;
  let context: BrowserContext;
  let rpConfig: oidc.Configuration;
  let client: { clientId: string; secret: string };

  const latchkey = (argv: string[], stdin = ''): Promise<string> => latchkeyCommand(server, argv, stdin);

  beforeAll(async () => {
    server = await startTestServer({ env: { LATCHKEY_BACKCHANNEL_ALLOW_LOOPBACK: 'true', LATCHKEY_BACKCHANNEL_POLL_MS: '100' } });
    rp = await startRelyingParty();
    receiver = await startBackchannelReceiver();
    await latchkey(['user', 'create', 'alice', '--email', 'alice@example.com', '--name', 'Alice Liddell', '--password-stdin'], `${PASSWORD}\n`);
    const file = join(mkdtempSync(join(tmpdir(), 'latchkey-client-')), 'client.json');
    writeFileSync(
      file,
      JSON.stringify({
        client_name: 'Example App',
        redirect_uris: [rp.redirectUri],
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
        post_logout_redirect_uris: [`${rp.origin}/callback`],
        backchannel_logout_uri: receiver.uri,
        backchannel_logout_session_required: true,
      }),
    );
    const created = JSON.parse(await latchkey(['client', 'create', '--from-file', file, '--json'])) as { client_id: string; client_secret: string };
    client = { clientId: created.client_id, secret: created.client_secret };
    rpConfig = await oidc.discovery(new URL(server.issuer), client.clientId, undefined, oidc.ClientSecretBasic(client.secret), { execute: [oidc.allowInsecureRequests] });
    browser = await launchBrowser();
    context = await browser.newContext();
  });
  afterAll(async () => {
    await browser?.close();
    await receiver?.close();
    await rp?.close();
    await server?.close();
  });

  async function signIn(page: Page, extra: Record<string, string> = {}) {
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const url = oidc.buildAuthorizationUrl(rpConfig, {
      redirect_uri: rp.redirectUri,
      scope: 'openid profile offline_access',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      prompt: 'consent',
      ...extra,
    });
    await page.goto(url.href);
    if (page.url().includes('/interaction/') && (await page.locator('#password').count()) > 0) {
      await page.fill('#identifier', 'alice');
      await page.fill('#password', PASSWORD);
      await Promise.all([page.waitForNavigation(), page.click('button[type="submit"]')]);
    }
    if (page.url().includes('/interaction/')) await Promise.all([page.waitForNavigation(), page.click('button[value="allow"]')]);
    expect(page.url().startsWith(rp.redirectUri)).toBe(true);
    return oidc.authorizationCodeGrant(rpConfig, new URL(page.url()), { pkceCodeVerifier: verifier, expectedState: state, idTokenExpected: true });
  }

  it('discovery: end_session_endpoint, back-channel logout with sid, no front-channel', async () => {
    const metadata = (await (await fetch(`${server.url}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
    expect(metadata).toMatchObject({
      end_session_endpoint: `${server.issuer}/logout`,
      backchannel_logout_supported: true,
      backchannel_logout_session_supported: true,
      frontchannel_logout_supported: false,
    });
  });

  it('Done when: logout at end_session_endpoint delivers a verified logout token; prompt=none then gets login_required; the registered post_logout_redirect_uri is followed with state', async () => {
    const page = await context.newPage();
    const tokens = await signIn(page);
    const sid = tokens.claims()?.sid as string;
    expect(sid).toBeTruthy();

    const before = receiver.tokens.length;
    const logout = new URL(`${server.url}/logout`);
    logout.searchParams.set('id_token_hint', tokens.id_token as string);
    logout.searchParams.set('post_logout_redirect_uri', `${rp.origin}/callback`);
    logout.searchParams.set('state', 'bye-123');
    await page.goto(logout.href);
    expect(page.url()).toBe(`${rp.origin}/callback?state=bye-123`);

    const logoutToken = await receiver.nextToken(before + 1);
    const { payload, protectedHeader } = await jwtVerify(logoutToken, createRemoteJWKSet(new URL(`${server.url}/jwks`)), { issuer: server.issuer, audience: client.clientId, typ: 'logout+jwt' });
    expect(protectedHeader.typ).toBe('logout+jwt');
    expect(payload).toMatchObject({ sid, sub: tokens.claims()?.sub, events: { [EVENT]: {} } });
    expect(payload).not.toHaveProperty('nonce');

    const url = oidc.buildAuthorizationUrl(rpConfig, { redirect_uri: rp.redirectUri, scope: 'openid', code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()), code_challenge_method: 'S256', prompt: 'none' });
    await page.goto(url.href);
    expect(new URL(page.url()).searchParams.get('error')).toBe('login_required');
    await page.close();
  });

  it('RP-Initiated Logout §3: an unregistered post_logout_redirect_uri is not followed (the signed-out page is shown)', async () => {
    const page = await context.newPage();
    const tokens = await signIn(page);
    const logout = new URL(`${server.url}/logout`);
    logout.searchParams.set('id_token_hint', tokens.id_token as string);
    logout.searchParams.set('post_logout_redirect_uri', 'https://evil.example/after');
    const response = await page.goto(logout.href);
    expect(page.url().startsWith(server.url)).toBe(true);
    await expect(page.locator('h1').textContent()).resolves.toBe('You are signed out');
    await expectAccessiblePage(page, response);
    await saveScreenshot(page, 'signed-out');
    await page.close();
  });

  it('RP-Initiated Logout §2: without an id_token_hint the person confirms on a CSRF-protected form', async () => {
    const page = await context.newPage();
    await signIn(page);
    const response = await page.goto(`${server.url}/logout?client_id=${encodeURIComponent(client.clientId)}&post_logout_redirect_uri=${encodeURIComponent(`${rp.origin}/callback`)}`);
    await expect(page.locator('h1').textContent()).resolves.toBe('Sign out?');
    await expectAccessiblePage(page, response);
    await saveScreenshot(page, 'logout-confirm');
    // A forged POST without the token is refused and the session survives.
    const forged = await page.request.post(`${server.url}/logout/confirm`, { form: { decision: 'logout' } });
    expect(forged.status()).toBe(403);
    await Promise.all([page.waitForNavigation(), page.click('button[value="logout"]')]);
    expect(page.url()).toBe(`${rp.origin}/callback`);
    await page.close();
  });

  it('Done when: removing an app on the account page fails its refresh token and makes its access token inactive at introspection', async () => {
    const page = await context.newPage();
    const tokens = await signIn(page);
    expect(tokens.refresh_token).toBeTruthy();
    const account = await page.goto(`${server.url}/account`);
    await expect(page.locator('h1').textContent()).resolves.toBe('Your account');
    await expect(page.locator('.lk-app h3').first().textContent()).resolves.toBe('Example App');
    await expectAccessiblePage(page, account);
    await saveScreenshot(page, 'account');

    await Promise.all([page.waitForNavigation(), page.click('.lk-app button[type="submit"]')]);
    await expect(page.locator('[role="status"]').textContent()).resolves.toContain('no longer has access');
    await expect(oidc.refreshTokenGrant(rpConfig, tokens.refresh_token as string)).rejects.toMatchObject({ error: 'invalid_grant' });
    const introspection = await oidc.tokenIntrospection(rpConfig, tokens.access_token);
    expect(introspection.active).toBe(false);
    await page.close();
  });

  it('an account form without its CSRF token is refused', async () => {
    const page = await context.newPage();
    await signIn(page);
    const forged = await page.request.post(`${server.url}/account/sessions/end-all`, { form: {} });
    expect(forged.status()).toBe(403);
    await page.close();
  });
});
