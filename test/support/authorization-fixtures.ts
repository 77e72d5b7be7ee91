// Fixtures for the authorization code flow: users made by the real user code, clients stored directly (hashed secret),
// PKCE pairs, and an HTTP walk through /authorize, login and consent.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { hashSecret } from '../../src/lib/hash.js';
import { createUser } from '../../src/protocol/users/manage-users.js';
import type { Client, ClientMetadata, ClientPolicy } from '../../src/storage/records/client.js';
import type { UserRecord } from '../../src/storage/records/user.js';
import { formAction, hiddenField, type HttpAgent } from './http-agent.js';
import type { TestServer } from './test-server.js';

export const PASSWORD = 'correct horse battery staple';

export async function createTestUser(server: TestServer, username = 'alice', extra: Partial<Parameters<typeof createUser>[0]> = {}): Promise<UserRecord> {
  const { storage, clock, random } = server.server.deps;
  return createUser(
    {
      username,
      email: `${username}@example.com`,
      emailVerified: true,
      profile: { name: `${username[0]?.toUpperCase()}${username.slice(1)} Example`, given_name: username, locale: 'en' },
      password: PASSWORD,
      ...extra,
    },
    { storage, clock, random },
  );
}

export interface AuthorizationClient {
  readonly client: Client;
  readonly clientId: string;
  readonly secret: string;
  readonly redirectUri: string;
  /** The Authorization header value for client_secret_basic (RFC 6749 §2.3.1). */
  readonly basic: string;
}

export async function createAuthorizationClient(
  server: TestServer,
  options: { redirectUris?: readonly string[]; public?: boolean; metadata?: Partial<ClientMetadata>; policy?: Partial<ClientPolicy> } = {},
): Promise<AuthorizationClient> {
  const clientId = `app-${randomUUID().slice(0, 8)}`;
  const secret = randomBytes(32).toString('base64url');
  const now = server.server.deps.clock.now();
  const redirectUris = options.redirectUris ?? ['https://app.example/callback'];
  const client: Client = {
    clientId,
    metadata: {
      client_name: 'Example App',
      redirect_uris: redirectUris,
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: options.public === true ? 'none' : 'client_secret_basic',
      ...options.metadata,
    },
    policy: { accessTokenFormat: 'jwt', allowedLegacyGrants: [], ...options.policy },
    ...(options.public !== true && { secretHash: hashSecret(secret) }),
    createdAt: now,
    updatedAt: now,
  };
  if (!(await server.server.deps.storage.clients.create(client))) throw new Error('client exists');
  const basic = `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(secret)}`).toString('base64')}`;
  return { client, clientId, secret, redirectUri: redirectUris[0] as string, basic };
}

export function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

export function authorizePath(params: Record<string, string | undefined>): string {
  const defined = Object.entries(params).filter((entry): entry is [string, string] => entry[1] !== undefined);
  return `/authorize?${new URLSearchParams(defined).toString()}`;
}

/** The standard request of these tests: code + PKCE S256 + OpenID Connect. */
export function codeRequest(client: AuthorizationClient, overrides: Record<string, string | undefined> = {}) {
  const pkce = pkcePair();
  const state = `state-${randomUUID()}`;
  const nonce = `nonce-${randomUUID()}`;
  const params = {
    response_type: 'code',
    client_id: client.clientId,
    redirect_uri: client.redirectUri,
    scope: 'openid profile email',
    state,
    nonce,
    code_challenge: pkce.challenge,
    code_challenge_method: 'S256',
    ...overrides,
  };
  return { params, path: authorizePath(params), pkce, state, nonce };
}

/** The parameters of a redirect to the client (query or fragment). */
export function responseParams(location: string): URLSearchParams {
  const url = new URL(location);
  return new URLSearchParams(url.hash !== '' ? url.hash.slice(1) : url.search);
}

/** From /authorize (or an interaction's page) through login (and consent when shown) to the redirect to the client, or to a page without a form, over HTTP. */
export async function authorizeOverHttp(
  agent: HttpAgent,
  path: string,
  options: { username?: string; password?: string; consent?: 'allow' | 'deny' } = {},
): Promise<Response> {
  let response = await agent.follow(await agent.get(path));
  for (let step = 0; step < 4 && response.status === 200; step++) {
    const html = await response.text();
    const action = formAction(html);
    const csrf = hiddenField(html, 'csrf_token');
    if (action === undefined) return new Response(html, { status: response.status, headers: response.headers }); // a page without a form ends the walk
    if (html.includes('name="password"')) {
      response = await agent.post(action as string, { csrf_token: csrf as string, identifier: options.username ?? 'alice', password: options.password ?? PASSWORD });
    } else if (html.includes('name="decision"')) {
      response = await agent.post(action as string, { csrf_token: csrf as string, decision: options.consent ?? 'allow' });
    } else if (html.includes('name="choice"')) {
      response = await agent.post(action as string, { csrf_token: csrf as string, choice: 'continue' });
    } else {
      return new Response(html, { status: response.status, headers: response.headers });
    }
    response = await agent.follow(response);
  }
  return response;
}

export async function exchangeCode(server: TestServer, client: AuthorizationClient, code: string, verifier: string | undefined, extra: Record<string, string> = {}): Promise<Response> {
  const form: Record<string, string> = { grant_type: 'authorization_code', code, redirect_uri: client.redirectUri, ...(verifier !== undefined && { code_verifier: verifier }), ...extra };
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
  if (client.client.metadata.token_endpoint_auth_method === 'none') form.client_id = client.clientId;
  else headers.authorization = client.basic;
  return fetch(`${server.url}/token`, { method: 'POST', headers, body: new URLSearchParams(form).toString() });
}
