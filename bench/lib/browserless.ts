// The authorization code flow without a browser: the authorization endpoint, the login page's form, consent, the code.
// The session cookie it ends with lets the load generator repeat authorize → code → /token with remembered consent.
// One script for both servers: it follows redirects and fills in whatever login and consent forms it is shown
// (Latchkey's pages, or the peer's interaction handler in bench/servers/oidc-provider-peer.mjs).
import { createHash } from 'node:crypto';

export const CODE_VERIFIER = 'bench-code-verifier-0123456789-abcdefghijklmnopqrstuvwxyz';
export const CODE_CHALLENGE = createHash('sha256').update(CODE_VERIFIER).digest('base64url');

export interface AuthorizationClient {
  readonly clientId: string;
  readonly redirectUri: string;
  readonly scope: string;
  /** Extra authorization request parameters, e.g. the peer's RFC 8707 resource that selects a JWT access token. */
  readonly parameters?: Readonly<Record<string, string>>;
}

/** `endpoint` (the server's authorization endpoint path) with a PKCE S256 code request for `client`. */
export function authorizePath(endpoint: string, client: AuthorizationClient): string {
  const query = new URLSearchParams({
    response_type: 'code',
    client_id: client.clientId,
    redirect_uri: client.redirectUri,
    scope: client.scope,
    state: 'bench',
    nonce: 'bench',
    code_challenge: CODE_CHALLENGE,
    code_challenge_method: 'S256',
    ...client.parameters,
  });
  return `${endpoint}?${query}`;
}

/** The code from a redirect to the client, or undefined. */
export function codeFrom(location: string | undefined, redirectUri: string): string | undefined {
  if (location === undefined || !location.startsWith(redirectUri)) return undefined;
  return new URL(location).searchParams.get('code') ?? undefined;
}

class CookieJar {
  private readonly cookies = new Map<string, string>();

  take(response: Response): void {
    for (const header of response.headers.getSetCookie()) {
      const [pair] = header.split(';');
      const eq = pair?.indexOf('=') ?? -1;
      if (pair && eq > 0) this.cookies.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
    }
  }

  header(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }
}

/** Logs `username` in and consents once; resolves to the session cookie header and a first code. */
export async function logIn(url: string, endpoint: string, client: AuthorizationClient, username: string, password: string): Promise<{ cookie: string; code: string }> {
  const jar = new CookieJar();
  const request = async (path: string, init: RequestInit = {}): Promise<Response> => {
    const response = await fetch(new URL(path, url), { ...init, redirect: 'manual', headers: { ...(init.headers as Record<string, string>), cookie: jar.header() } });
    jar.take(response);
    return response;
  };
  let response = await request(authorizePath(endpoint, client));
  for (let step = 0; step < 10; step++) {
    const location = response.headers.get('location') ?? undefined;
    const code = codeFrom(location, client.redirectUri);
    if (code !== undefined) return { cookie: jar.header(), code };
    if (location !== undefined) {
      response = await request(location);
      continue;
    }
    const html = await response.text();
    const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1];
    const csrf = /name="csrf_token" value="([^"]+)"/.exec(html)?.[1];
    // Latchkey's forms carry a CSRF token; the peer's interaction is bound by its cookie alone.
    if (response.status !== 200 || action === undefined) throw new Error(`login: unexpected HTTP ${response.status} at step ${step}: ${html.slice(0, 200)}`);
    const fields: Record<string, string> = csrf === undefined ? {} : { csrf_token: csrf };
    if (action.endsWith('/login')) Object.assign(fields, { identifier: username, password });
    else if (action.endsWith('/consent')) fields.decision = 'allow';
    const buttons = [...html.matchAll(/<button[^>]*name="([^"]+)"[^>]*value="([^"]+)"/g)];
    const allow = buttons.find((button) => /allow|approve|accept|yes/i.test(button[2] ?? ''));
    if (allow) fields[allow[1] as string] = allow[2] as string;
    response = await request(action, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString() });
  }
  throw new Error('login: no code after 10 steps');
}
