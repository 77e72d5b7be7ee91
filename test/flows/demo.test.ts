// Issue 7, Done when: `npm run demo` runs, and a real Chromium clicks through all ten steps of the flow explorer,
// each panel showing the real exchange (200 from the API before revocation, 401 after; a rotated refresh token;
// decoded claims with the right sub and aud). Every demo process is gone at the end.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { join } from 'node:path';
import { describeBrowser, launchBrowser, saveScreenshot, SCREENSHOT_DIR } from '../support/browser.js';
import { assertBuilt } from '../support/latchkey-process.js';
import { expectAccessiblePage } from '../support/page-checks.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

interface DemoInfo {
  readonly explorer: string;
  readonly issuer: string;
  readonly api: string;
  readonly username: string;
  readonly password: string;
  readonly clientId: string;
}

const groupAlive = (pid: number): boolean => {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** Starts `npm run demo -- --json` in its own process group and resolves with the JSON line it prints. */
function startDemo(): Promise<{ child: ChildProcess; info: DemoInfo; output: () => string }> {
  const env = { ...process.env };
  for (const name of Object.keys(env)) if (name.startsWith('LATCHKEY_')) delete env[name];
  const child = spawn('npm', ['run', '--silent', 'demo', '--', '--json'], { cwd: ROOT, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      if (child.pid !== undefined && groupAlive(child.pid)) process.kill(-child.pid, 'SIGKILL'); // leave nothing behind
      reject(new Error(`the demo did not start in 45 s:\n${output}`));
    }, 45_000);
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
      const line = output.split('\n').find((candidate) => candidate.startsWith('{"explorer"'));
      if (line === undefined || !output.includes(`${line}\n`)) return;
      clearTimeout(timer);
      resolve({ child, info: JSON.parse(line) as DemoInfo, output: () => output });
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the demo exited (${code}) before it was ready:\n${output}`));
    });
  });
}

/** SIGTERM to the demo's whole process group (npm, tsx, node, latchkey serve), SIGKILL after 10 s. */
async function stopDemo(child: ChildProcess): Promise<void> {
  const pid = child.pid;
  if (pid === undefined || !groupAlive(pid)) return;
  process.kill(-pid, 'SIGTERM');
  const deadline = Date.now() + 10_000;
  while (groupAlive(pid) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
  if (groupAlive(pid)) process.kill(-pid, 'SIGKILL');
}

describeBrowser('npm run demo: the flow explorer, clicked through in Chromium', () => {
  let demo: Awaited<ReturnType<typeof startDemo>> | undefined;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    assertBuilt();
    demo = await startDemo();
    browser = await launchBrowser();
    page = await browser.newPage();
  }, 90_000);
  afterAll(async () => {
    await browser?.close();
    if (demo !== undefined) await stopDemo(demo.child);
  });

  const panel = (step: number): Locator => page.locator(`#step-${step}`);
  const click = async (label: string): Promise<void> => {
    await Promise.all([page.waitForNavigation(), page.click(`button:text-is("${label}")`)]);
  };
  const exchange = (step: number, title: string | RegExp): Locator => panel(step).locator('figure.exchange', { has: page.locator('figcaption', { hasText: title }) });
  const text = async (locator: Locator): Promise<string> => (await locator.textContent()) ?? '';
  const claim = async (step: number, table: string, name: string): Promise<string> =>
    text(panel(step).locator(`table[aria-label="${table}"] tr[data-claim="${name}"] td`));

  it('walks through all ten steps, each panel showing the real exchange', async () => {
    const { info } = demo as NonNullable<typeof demo>;

    // 1. Registration: the client as registered, its secret masked; discovery as fetched.
    const first = await page.goto(info.explorer);
    await expectAccessiblePage(page, first);
    await saveScreenshot(page, 'demo-1-start');
    expect(await text(panel(1))).toContain(info.clientId);
    expect(await text(panel(1))).toContain('client_secret": "••••••••');
    expect(await exchange(1, 'discovery').getAttribute('data-status')).toBe('200');
    expect(await text(exchange(1, 'discovery'))).toContain(`"issuer": "${info.issuer}"`);

    // 2. The authorization request with its parameters explained.
    await click('Build the authorization request');
    expect(await text(panel(2).locator('pre.url'))).toMatch(new RegExp(`^${info.issuer}/authorize\\?response_type=code&client_id=`));
    expect(await text(panel(2).locator('tr[data-param="code_challenge_method"] td').first())).toBe('S256');
    expect(await panel(2).getAttribute('data-state')).toBe('done');

    // 3. Login and consent on Latchkey's own pages.
    await Promise.all([page.waitForNavigation(), page.click('#sign-in')]);
    expect(page.url().startsWith(info.issuer)).toBe(true);
    await page.fill('#identifier', info.username);
    await page.fill('#password', info.password);
    await Promise.all([page.waitForNavigation(), page.click('button[type="submit"]')]);
    await Promise.all([page.waitForURL(`${info.explorer}/#step-4`), page.click('button[value="allow"]')]);
    expect(await panel(3).getAttribute('data-state')).toBe('done');

    // 4. The callback: code, state and iss, and the client's checks.
    const callback = await text(panel(4).locator('pre'));
    expect(callback).toMatch(/^GET \/callback\?code=[^&]+&state=[^&]+&iss=/);
    expect(await panel(4).locator('.checks li').count()).toBe(3);
    expect(await panel(4).locator('.checks li[data-ok="false"]').count()).toBe(0);

    // 5. The token request, client secret masked.
    await click('Exchange the code for tokens');
    const token = exchange(5, 'the token request');
    expect(await token.getAttribute('data-status')).toBe('200');
    const tokenText = await text(token);
    expect(tokenText).toContain('POST /token HTTP/1.1');
    expect(tokenText).toContain('authorization: Basic •••••••• (base64 of client_id:client_secret)');
    expect(tokenText).toMatch(/grant_type=authorization_code&code=\S+…\(\d+ chars\)&redirect_uri=/);
    expect(tokenText).toMatch(/"refresh_token": "\S+…\(\d+ chars\)"/);
    expect(tokenText).toMatch(/"id_token": "eyJ/);

    // 6. The tokens decoded: the ID Token's sub and aud; the access token's (by introspection) sub and aud = the API.
    await click('Decode and verify the tokens');
    const sub = await claim(6, 'ID Token claims', 'sub');
    expect(sub).toMatch(/^[0-9a-f-]{36}$/);
    expect(await claim(6, 'ID Token claims', 'aud')).toBe(info.clientId);
    expect(await claim(6, 'ID Token claims', 'iss')).toBe(info.issuer);
    expect(await claim(6, 'ID Token claims', 'email')).toBe('demo@example.com');
    expect(await panel(6).locator('.checks li[data-ok="true"]').count()).toBe(2);
    expect(await claim(6, 'access token claims (introspection)', 'active')).toBe('true');
    expect(await claim(6, 'access token claims (introspection)', 'sub')).toBe(sub);
    expect(await claim(6, 'access token claims (introspection)', 'aud')).toContain(info.api);
    expect(await claim(6, 'access token claims (introspection)', 'scope')).toContain('notes:read');

    // 7. The API answers 200 with the caller's notes.
    await click('Call GET /api/notes');
    const call = exchange(7, 'GET /api/notes');
    expect(await call.getAttribute('data-status')).toBe('200');
    expect(await text(call)).toContain('authorization: Bearer ');
    expect(await text(call)).toContain(`"owner": "${sub}"`);
    expect(await text(call)).toContain('Buy milk');

    // 8. Refresh: a new refresh token; the old one is no longer active.
    await click('Refresh the tokens');
    expect(await exchange(8, 'the refresh request').getAttribute('data-status')).toBe('200');
    const before = await text(panel(8).locator('#old-refresh-token'));
    const after = await text(panel(8).locator('#new-refresh-token'));
    expect(after).toMatch(/…\(\d+ chars\)$/);
    expect(after).not.toBe(before);
    expect(await text(exchange(8, 'old refresh token'))).toMatch(/\{\s*"active": false\s*\}/);

    // 9. Revocation: 200 from /revoke, then the API refuses the same access token with 401 invalid_token.
    await click('Revoke, then call the API again');
    expect(await exchange(9, 'the revocation request').getAttribute('data-status')).toBe('200');
    const refused = exchange(9, 'after revocation');
    expect(await refused.getAttribute('data-status')).toBe('401');
    expect(await text(refused)).toMatch(/www-authenticate: Bearer [^\n]*error="invalid_token"/);

    // 10. Logout: RP-initiated logout when Latchkey offers it, else said to be unavailable.
    const metadata = (await (await fetch(`${info.issuer}/.well-known/openid-configuration`)).json()) as { end_session_endpoint?: string };
    if (metadata.end_session_endpoint === undefined) {
      expect(await text(panel(10).locator('#logout-unavailable'))).toBe('logout: not available in this server version');
      await click("End the client's session");
    } else {
      await Promise.all([page.waitForURL(`${info.explorer}/#step-10`), page.click('button:text-is("Log out at Latchkey")')]);
    }
    expect(await panel(10).getAttribute('data-state')).toBe('done');
    expect(await page.locator('section.panel[data-state="done"]').count()).toBe(10);

    const last = await page.reload();
    await expectAccessiblePage(page, last);
    await saveScreenshot(page, 'demo-10-done');
    for (let step = 1; step <= 10; step++) await panel(step).screenshot({ path: join(SCREENSHOT_DIR, `demo-panel-${step}.png`) });
  }, 120_000);

  it('Ctrl-C (SIGTERM) stops every demo process: npm, the demo, Latchkey', async () => {
    const { child, info } = demo as NonNullable<typeof demo>;
    await stopDemo(child);
    expect(groupAlive(child.pid as number)).toBe(false);
    await expect(fetch(`${info.issuer}/healthz`)).rejects.toThrow();
    await expect(fetch(info.explorer)).rejects.toThrow();
  });
});
