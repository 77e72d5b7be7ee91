// Authelia CVE-2021-32637: a malformed request URI passed on by a proxy made the server answer with success (there, a
// forward-auth 200). Issue 9 item 9: raw request targets that no browser or fetch() would send (bad percent-encoding,
// NUL, overlong UTF-8, `//host`, absolute-form, backslashes, CR/LF, very long URIs) at /authorize, /token, /userinfo and
// the pages always get a 4xx with an OAuth error body or Latchkey's error page: never a 5xx, never a redirect to
// anything unverified, never the input reflected unescaped, never a stack trace.
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuthorizationClient, type AuthorizationClient } from '../../support/authorization-fixtures.js';
import { startTestServer, type TestServer } from '../../support/test-server.js';

let server: TestServer;
let client: AuthorizationClient;

beforeAll(async () => {
  server = await startTestServer();
  client = await createAuthorizationClient(server, { redirectUris: ['https://app.example/callback'] });
});
afterAll(async () => {
  await server?.close();
});

interface RawAnswer {
  readonly status: number;
  readonly head: string;
  readonly body: string;
}

/** Writes `request` as bytes on a fresh TCP connection and reads the whole answer (the server closes it). */
function rawRequest(request: string | Buffer): Promise<RawAnswer> {
  const url = new URL(server.url);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: url.hostname, port: Number(url.port) });
    const chunks: Buffer[] = [];
    socket.setTimeout(20_000, () => socket.destroy(new Error('no answer within 20 s')));
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', (error: NodeJS.ErrnoException) => {
      // Refusing an over-long request, the server answers (431) and closes with the rest of the request unread: the
      // kernel resets the connection (seen on Node 24). A reset after the answer arrived is that; before it, a failure.
      if (error.code !== 'ECONNRESET' || chunks.length === 0) reject(error);
    });
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('latin1');
      const split = text.indexOf('\r\n\r\n');
      const head = split === -1 ? text : text.slice(0, split);
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0), head, body: split === -1 ? '' : text.slice(split + 4) });
    });
    socket.end(request);
  });
}

function get(target: string): Promise<RawAnswer> {
  return rawRequest(`GET ${target} HTTP/1.1\r\nHost: ${new URL(server.url).host}\r\nConnection: close\r\n\r\n`);
}

function postForm(target: string, body: string): Promise<RawAnswer> {
  return rawRequest(
    `POST ${target} HTTP/1.1\r\nHost: ${new URL(server.url).host}\r\nContent-Type: application/x-www-form-urlencoded\r\n` +
      `Authorization: ${client.basic}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

const MARKER = '<script>alert(1)</script>';
const ENCODED_MARKER = encodeURIComponent(MARKER);

/** The properties every answer to a malformed target has: a 4xx (an odd but well-formed one may go on, on this server). */
function expectSafeAnswer(answer: RawAnswer, what: string, options: { wellFormed?: boolean } = {}): void {
  const location = /^location: *(.*)$/im.exec(answer.head)?.[1];
  expect(answer.status, `${what}: never a 5xx`).toBeLessThan(500);
  if (options.wellFormed === true && answer.status < 400) {
    if (location !== undefined) expect(location, `${what}: a redirect stays on this server`).toMatch(/^\/(?![/\\])/);
  } else {
    expect(answer.status, `${what}: a 4xx`).toBeGreaterThanOrEqual(400);
    expect(location, `${what}: no redirect`).toBeUndefined();
  }
  expect(answer.head, `${what}: no header injected`).not.toMatch(/^(x-injected|set-cookie: injected)/im);
  expect(answer.body, `${what}: input not reflected unescaped`).not.toContain(MARKER);
  expect(answer.body, `${what}: no stack trace`).not.toMatch(/\n\s+at .+\.(js|ts):\d+/);
  expect(answer.body, `${what}: no foreign origin echoed`).not.toContain('evil.example');
  if (answer.status < 400) return;
  const json = /^content-type: application\/json/im.test(answer.head);
  const page = /^content-type: text\/html/im.test(answer.head);
  expect(json || page, `${what}: an OAuth error body or the error page (${answer.head.split('\r\n')[0]})`).toBe(true);
  if (json) expect(answer.body, what).toMatch(/"error":"[a-z_]+"/);
}


/** Malformed request targets for `path` (an endpoint or a page). */
function malformedTargets(path: string, query: string): [string, string, { wellFormed?: boolean }?][] {
  return [
    ['bad percent-encoding in the query', `${path}?${query}&state=%ZZ${ENCODED_MARKER}`],
    ['bad percent-encoding in the path', `${path}%ZZ?${query}`],
    ['a truncated percent-escape', `${path}?${query}&state=%`],
    ['NUL in the query', `${path}?${query}&state=a%00b`],
    ['NUL in the path', `${path}%00?${query}`],
    ['overlong UTF-8 (../ as %C0%AE)', `${path}?${query}&state=%C0%AE%C0%AE%2F${ENCODED_MARKER}`],
    ['overlong UTF-8 in the path', `/%C0%AE%C0%AE${path}`],
    ['invalid UTF-8 (lone continuation byte)', `${path}?${query}&nonce=%80%FF`],
    ['a network-path reference', `//evil.example/..${path}?${query}`],
    ['dot segments out of the root', `/../../..${path}?${query}`],
    ['encoded dot segments', `/%2e%2e/%2e%2e${path}?${query}`],
    ['a backslash path', `/\\evil.example${path}?${query}`],
    ['backslashes in a parameter', `${path}?${query}&state=\\\\evil.example\\${ENCODED_MARKER}`, { wellFormed: true }],
    ['encoded CR/LF header injection', `${path}?${query}&state=a%0d%0aX-Injected:%201%0d%0aLocation:%20https://evil.example/`, { wellFormed: true }], // data, never a header
    ['a very long URI', `${path}?${query}&state=${'a'.repeat(70_000)}`],
    ['a very long path', `${path}/${'b'.repeat(70_000)}`],
  ];
}

const PAGES: [string, string][] = [
  ['/authorize', 'response_type=code&client_id=CLIENT&redirect_uri=https%3A%2F%2Fapp.example%2Fcallback&scope=openid&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256'],
  ['/userinfo', 'x=1'],
  ['/interaction/abc', 'x=1'],
  ['/account', 'x=1'],
  ['/logout', 'client_id=CLIENT'],
  ['/device', 'user_code=ABCD-EFGH'],
];

describe('Authelia CVE-2021-32637: malformed request targets through a proxy never get a success, a 5xx or a redirect', () => {
  for (const [path, query] of PAGES) {
    it(`GET ${path}`, async () => {
      for (const [what, target, options] of malformedTargets(path, query.replace('CLIENT', client.clientId))) {
        // A malformed target in a syntactically valid request: the parser, the router or the input limits refuse it.
        expectSafeAnswer(await get(target), `${what} (${target.slice(0, 80)})`, options);
      }
    });
  }

  it('POST /token', async () => {
    for (const [what, target, options] of malformedTargets('/token', 'x=1')) {
      expectSafeAnswer(await postForm(target, 'grant_type=client_credentials'), `${what} (${target.slice(0, 80)})`, options);
    }
    // and a malformed body through a valid target
    for (const body of ['grant_type=client_credentials&scope=%ZZ', 'grant_type=client_credentials&scope=%00', 'grant_type=%C0%AE', `grant_type=client_credentials&scope=${'s'.repeat(70_000)}`]) {
      expectSafeAnswer(await postForm('/token', body), `body ${body.slice(0, 60)}`);
    }
  });

  it('the absolute form of the request target (RFC 9112 §3.2.2) names another host: answered for this server, never redirected there', async () => {
    for (const target of [`http://evil.example/authorize?response_type=code&client_id=${client.clientId}`, 'http://evil.example/token', 'https://evil.example//userinfo']) {
      const answer = await get(target);
      expect(answer.status, target).toBeLessThan(500);
      expect(answer.head, target).not.toMatch(/^location: .*evil\.example/im);
      expect(answer.body, target).not.toContain('evil.example');
    }
  });

  it('raw CR/LF, spaces and control bytes in the request line are refused by the HTTP parser with a 4xx', async () => {
    const host = new URL(server.url).host;
    for (const line of [`GET /authorize?state=a\rX-Injected: 1 HTTP/1.1`, `GET /authorize?state=a\u0000b HTTP/1.1`, `GET /authorize?state=a b HTTP/1.1`, `GET /author\u007fize HTTP/1.1`]) {
      const answer = await rawRequest(`${line}\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);
      expect(answer.status, JSON.stringify(line)).toBeGreaterThanOrEqual(400);
      expect(answer.status, JSON.stringify(line)).toBeLessThan(500);
      expect(answer.head).not.toMatch(/^x-injected/im);
      expect(answer.head).not.toMatch(/^location:/im);
      expect(answer.body).toBe('{"error":"invalid_request","error_description":"the request is malformed"}');
    }
  });

  it('a registered client with a malformed redirect_uri gets the error page, never a redirect (RFC 6749 §4.1.2.1)', async () => {
    for (const redirect of ['https://app.example/callback%ZZ', 'https://app.example\\@evil.example/callback', 'https://app.example/callback%00', 'https://app.example/callback%0d%0aLocation:https://evil.example', '//evil.example/callback', 'https://app.example/%2e%2e/callback']) {
      const answer = await get(`/authorize?response_type=code&client_id=${client.clientId}&redirect_uri=${redirect}&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256&scope=openid`);
      expectSafeAnswer(answer, redirect);
    }
  });

  it('the server still answers /readyz afterwards', async () => {
    expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
  });
});
