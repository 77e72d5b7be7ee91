// The authorization code flow without a browser: /authorize, the login page's form, consent, the code. The session
// cookie it ends with lets the load generator repeat /authorize → code → /token with remembered consent.
import { createHash } from 'node:crypto';

export const CODE_VERIFIER = 'bench-code-verifier-0123456789-abcdefghijklmnopqrstuvwxyz';
export const CODE_CHALLENGE = createHash('sha256').update(CODE_VERIFIER).digest('base64url');

export interface AuthorizationClient {
  readonly clientId: string;
  readonly redirectUri: string;
  readonly scope: string;
}

export function authorizePath(client: AuthorizationClient): string {
  const query = new URLSearchParams({
    response_type: 'code',
    client_id: client.clientId,
    redirect_uri: client.redirectUri,
    scope: client.scope,
    state: 'bench',
    nonce: 'bench',
    code_challenge: CODE_CHALLENGE,
    code_challenge_method: 'S256',
  });
  return `/authorize?${query}`;
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
export async function logIn(url: string, client: AuthorizationClient, username: string, password: string): Promise<{ cookie: string; code: string }> {
  const jar = new CookieJar();
  const request = async (path: string, init: RequestInit = {}): Promise<Response> => {
    const response = await fetch(new URL(path, url), { ...init, redirect: 'manual', headers: { ...(init.headers as Record<string, string>), cookie: jar.header() } });
    jar.take(response);
    return response;
  };
  let response = await request(authorizePath(client));
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
    if (response.status !== 200 || action === undefined || csrf === undefined) throw new Error(`login: unexpected HTTP ${response.status} at step ${step}: ${html.slice(0, 200)}`);
    const fields: Record<string, string> = { csrf_token: csrf };
    if (action.endsWith('/login')) Object.assign(fields, { identifier: username, password });
    else if (action.endsWith('/consent')) fields.decision = 'allow';
    const buttons = [...html.matchAll(/<button[^>]*name="([^"]+)"[^>]*value="([^"]+)"/g)];
    const allow = buttons.find((button) => /allow|approve|accept|yes/i.test(button[2] ?? ''));
    if (allow) fields[allow[1] as string] = allow[2] as string;
    response = await request(action, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString() });
  }
  throw new Error('login: no code after 10 steps');
}
