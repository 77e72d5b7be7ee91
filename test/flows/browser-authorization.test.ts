// End to end in a real Chromium: a user made by `latchkey user create alice --password-stdin` signs in and consents on
// Latchkey's pages; openid-client (a certified relying party library) validates the ID Token and reads UserInfo.
// Every page is screenshotted (test-results/screenshots/), checked for the accessibility basics and security headers.
import * as oidc from 'openid-client';
import type { Browser, BrowserContext, Page, Response } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeBrowser, launchBrowser, saveScreenshot } from '../support/browser.js';
import { accessibilityProblems, expectAccessiblePage } from '../support/page-checks.js';
import { createPostgresDatabase, describePostgres } from '../support/postgres.js';
import { startRelyingParty, type RelyingParty } from '../support/relying-party.js';
import { latchkeyCommand } from '../support/cli-in-process.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

const PASSWORD = 'a long and memorable passphrase';

function browserFlows(database: string, open: () => Promise<TestServer>): void {
  describe(`${database}`, () => {
    let server: TestServer;
    let rp: RelyingParty;
    let browser: Browser;
    let client: { clientId: string; secret: string };
    let rpConfig: oidc.Configuration;
    let context: BrowserContext;

    /** Runs the `latchkey` CLI against the test server's database, as an operator would. */
    const latchkey = (argv: string[], stdin = ''): Promise<string> => latchkeyCommand(server, argv, stdin);

    beforeAll(async () => {
      server = await open();
      rp = await startRelyingParty();
      await latchkey(['user', 'create', 'alice', '--email', 'alice@example.com', '--email-verified', '--name', 'Alice Liddell', '--password-stdin'], `${PASSWORD}\n`);
      const created = JSON.parse(await latchkey(['client', 'create', '--name', 'Example App', '--redirect-uri', rp.redirectUri, '--grant-type', 'authorization_code', '--grant-type', 'refresh_token', '--json'])) as {
        client_id: string;
        client_secret: string;
      };
      client = { clientId: created.client_id, secret: created.client_secret };
      rpConfig = await oidc.discovery(new URL(server.issuer), client.clientId, undefined, oidc.ClientSecretBasic(client.secret), { execute: [oidc.allowInsecureRequests] });
      browser = await launchBrowser();
      context = await browser.newContext();
    });
    afterAll(async () => {
      await browser?.close();
      await rp?.close();
      await server?.close();
    });

    async function authorizationUrl(extra: Record<string, string> = {}) {
      const verifier = oidc.randomPKCECodeVerifier();
      const state = oidc.randomState();
      const nonce = oidc.randomNonce();
      const url = oidc.buildAuthorizationUrl(rpConfig, {
        redirect_uri: rp.redirectUri,
        scope: 'openid profile email',
        code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
        state,
        nonce,
        ...extra,
      });
      return { url: url.href, verifier, state, nonce };
    }

    /** Clicks and waits for the next page of Latchkey (or the client), returning its response. */
    async function submit(page: Page, selector: string): Promise<Response | null> {
      const [response] = await Promise.all([page.waitForNavigation(), page.click(selector)]);
      return response;
    }

    async function redeem(callbackUrl: string, request: { verifier: string; state: string; nonce: string }) {
      const tokens = await oidc.authorizationCodeGrant(rpConfig, new URL(callbackUrl), {
        pkceCodeVerifier: request.verifier,
        expectedState: request.state,
        expectedNonce: request.nonce,
        idTokenExpected: true,
      });
      return tokens;
    }

    it('Done when: a person signs in and consents; openid-client validates the ID Token and gets UserInfo with the same sub', async () => {
      const page = await context.newPage();
      const request = await authorizationUrl();
      const login = await page.goto(request.url);
      expect(page.url()).toContain('/interaction/');
      await expect(page.locator('h1').textContent()).resolves.toBe('Sign in');
      await expectAccessiblePage(page, login);
      await saveScreenshot(page, `login-${database.toLowerCase()}`);

      await page.fill('#identifier', 'alice');
      await page.fill('#password', PASSWORD);
      const consent = await submit(page, 'button[type="submit"]');
      await expect(page.locator('h1').textContent()).resolves.toBe('Example App wants to access your account');
      await expectAccessiblePage(page, consent);
      await saveScreenshot(page, `consent-${database.toLowerCase()}`);

      await submit(page, 'button[value="allow"]');
      expect(page.url().startsWith(rp.redirectUri)).toBe(true);

      const tokens = await redeem(page.url(), request);
      const claims = tokens.claims();
      expect(claims).toMatchObject({ iss: server.issuer, aud: client.clientId, nonce: request.nonce, email: 'alice@example.com', name: 'Alice Liddell' });
      const userinfo = await oidc.fetchUserInfo(rpConfig, tokens.access_token, claims?.sub as string);
      expect(userinfo.sub).toBe(claims?.sub);
      expect(userinfo.email).toBe('alice@example.com');
      await page.close();
    });

    it('remembered consent skips the consent page', async () => {
      const page = await context.newPage();
      const visited: string[] = [];
      page.on('framenavigated', (frame) => visited.push(frame.url()));
      const request = await authorizationUrl();
      await page.goto(request.url);
      expect(page.url().startsWith(rp.redirectUri)).toBe(true);
      expect(visited.some((url) => url.includes('/interaction/'))).toBe(false);
      expect((await redeem(page.url(), request)).access_token).toBeTruthy();
      await page.close();
    });

    it('prompt=none: a code with the session; login_required in a browser without one', async () => {
      const page = await context.newPage();
      const request = await authorizationUrl({ prompt: 'none' });
      await page.goto(request.url);
      expect(new URL(page.url()).searchParams.get('code')).toBeTruthy();
      await page.close();

      const fresh = await browser.newContext();
      const stranger = await fresh.newPage();
      await stranger.goto((await authorizationUrl({ prompt: 'none' })).url);
      const params = new URL(stranger.url()).searchParams;
      expect([params.get('error'), params.get('iss')]).toEqual(['login_required', server.issuer]);
      await fresh.close();
    });

    it('prompt=select_account shows the account chooser', async () => {
      const page = await context.newPage();
      const request = await authorizationUrl({ prompt: 'select_account' });
      const chooser = await page.goto(request.url);
      await expect(page.locator('h1').textContent()).resolves.toBe('Choose an account');
      await expectAccessiblePage(page, chooser);
      await saveScreenshot(page, `account-chooser-${database.toLowerCase()}`);
      await submit(page, 'button[value="continue"]');
      expect(page.url().startsWith(rp.redirectUri)).toBe(true);
      await page.close();
    });

    it('a wrong password shows an error that does not say whether the account exists', async () => {
      const fresh = await browser.newContext();
      const page = await fresh.newPage();
      await page.goto((await authorizationUrl()).url);
      await page.fill('#identifier', 'alice');
      await page.fill('#password', 'not the password');
      const failed = await submit(page, 'button[type="submit"]');
      expect(failed?.status()).toBe(400);
      await expect(page.locator('[role="alert"]').textContent()).resolves.toContain('username, email or password is not right');
      await expect(page.locator('#identifier').inputValue()).resolves.toBe('alice');
      await expectAccessiblePage(page, failed);
      await saveScreenshot(page, `login-error-${database.toLowerCase()}`);
      await fresh.close();
    });

    it('deny sends access_denied to the client', async () => {
      const page = await context.newPage();
      const request = await authorizationUrl({ scope: 'openid phone' });
      await page.goto(request.url);
      await submit(page, 'button[value="deny"]');
      const params = new URL(page.url()).searchParams;
      expect([params.get('error'), params.get('state'), params.get('iss')]).toEqual(['access_denied', request.state, server.issuer]);
      await page.close();
    });

    it('a form without its CSRF token is refused, on the error page', async () => {
      const fresh = await browser.newContext();
      const page = await fresh.newPage();
      await page.goto((await authorizationUrl()).url);
      await page.evaluate('document.querySelector(\'input[name="csrf_token"]\').remove()');
      await page.fill('#identifier', 'alice');
      await page.fill('#password', PASSWORD);
      const refused = await submit(page, 'button[type="submit"]');
      expect(refused?.status()).toBe(403);
      await expect(page.locator('.lk-code').textContent()).resolves.toBe('Error: access_denied');
      await expectAccessiblePage(page, refused);
      await saveScreenshot(page, `error-csrf-${database.toLowerCase()}`);
      await fresh.close();
    });

    it('an unverified redirect_uri shows the error page and never leaves Latchkey', async () => {
      const page = await context.newPage();
      const { url } = await authorizationUrl();
      const bad = new URL(url);
      bad.searchParams.set('redirect_uri', 'https://evil.example/callback');
      const response = await page.goto(bad.href);
      expect(response?.status()).toBe(400);
      expect(page.url().startsWith(server.url)).toBe(true);
      await expectAccessiblePage(page, response);
      await saveScreenshot(page, `error-${database.toLowerCase()}`);
      await page.close();
    });

    it('response_mode=form_post: the form posts itself to the client under the CSP (served script, no inline code)', async () => {
      const page = await context.newPage();
      const violations: string[] = [];
      page.on('console', (message) => {
        // Chromium may ask any origin for /favicon.ico and log the 404: not a CSP violation, and racy.
        if (message.type() === 'error' && !message.location().url.endsWith('/favicon.ico')) violations.push(message.text());
      });
      const request = await authorizationUrl({ response_mode: 'form_post' });
      const before = rp.callbacks.length;
      await Promise.all([page.waitForURL(`${rp.redirectUri}*`), page.goto(request.url)]);
      const received = rp.callbacks.slice(before).at(-1);
      expect(received?.method).toBe('POST');
      expect(received?.params.get('state')).toBe(request.state);
      expect(received?.params.get('iss')).toBe(server.issuer);
      const tokens = await redeem(received?.url as string, request);
      expect(tokens.access_token).toBeTruthy();
      expect(violations).toEqual([]);
      await page.close();
    });

    it('the form_post page itself passes the checks (with scripts off it waits for the button)', async () => {
      const noScript = await browser.newContext({ javaScriptEnabled: false });
      await noScript.addCookies(await context.cookies());
      const page = await noScript.newPage();
      const response = await page.goto((await authorizationUrl({ response_mode: 'form_post' })).url);
      await expect(page.locator('h1').textContent()).resolves.toBe('Continue to the application');
      await expectAccessiblePage(page, response);
      await saveScreenshot(page, `form-post-${database.toLowerCase()}`);
      await submit(page, 'button[type="submit"]');
      expect(page.url().startsWith(rp.redirectUri)).toBe(true);
      await noScript.close();
    });
  });
}

describeBrowser('Chromium: authorization code + PKCE + OpenID Connect through Latchkey’s pages', () => {
  it('the page checker finds what it looks for (a missing lang, an unlabelled input, low contrast)', async () => {
    const checker = await launchBrowser();
    try {
      const page = await checker.newPage();
      await page.setContent('<html><head><title>t</title></head><body><p style="color:#aaaaaa">faint</p><input name="q"></body></html>');
      const problems = await accessibilityProblems(page);
      expect(problems).toEqual(expect.arrayContaining(['<html> has no lang', 'control q has no label', expect.stringMatching(/^contrast 2\.\d\d:1 for "faint"$/)]));
    } finally {
      await checker.close();
    }
  });

  browserFlows('SQLite', () => startTestServer());
  describePostgres('PostgreSQL', () => {
    browserFlows('PostgreSQL', async () => startTestServer({ databaseUrl: await createPostgresDatabase() }));
  });
});
