// Fixtures for the token flows: clients stored directly (hashed secret), grants and refresh tokens issued through
// the real TokenIssuer (users and /authorize come with the authorization issue), and form POSTs over real HTTP.
import { randomUUID } from 'node:crypto';
import { hashSecret } from '../../src/lib/hash.js';
import { createTokenIssuer } from '../../src/protocol/tokens/create-token-issuer.js';
import type { AccessTokenFormat, Client, TokenEndpointAuthMethod } from '../../src/storage/records/client.js';
import type { TestServer } from './test-server.js';

export interface TestClient {
  readonly client: Client;
  readonly clientId: string;
  readonly secret: string;
  /** The Authorization header value for client_secret_basic (RFC 6749 §2.3.1). */
  readonly basic: string;
}

export interface TestClientOptions {
  readonly clientId?: string;
  readonly authMethod?: TokenEndpointAuthMethod;
  readonly grantTypes?: readonly string[];
  readonly scope?: string;
  readonly accessTokenFormat?: AccessTokenFormat;
  readonly accessTokenTtlSeconds?: number;
}

export async function createTestClient(server: TestServer, options: TestClientOptions = {}): Promise<TestClient> {
  const clientId = options.clientId ?? `client-${randomUUID().slice(0, 8)}`;
  const secret = `secret-${randomUUID()}`;
  const authMethod = options.authMethod ?? 'client_secret_basic';
  const now = server.server.deps.clock.now();
  const client: Client = {
    clientId,
    metadata: {
      redirect_uris: ['https://app.example.com/callback'],
      grant_types: options.grantTypes ?? ['client_credentials', 'refresh_token', 'authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: authMethod,
      scope: options.scope ?? 'read write',
    },
    policy: {
      accessTokenFormat: options.accessTokenFormat ?? 'opaque',
      allowedLegacyGrants: [],
      ...(options.accessTokenTtlSeconds !== undefined && { accessTokenTtlSeconds: options.accessTokenTtlSeconds }),
    },
    ...(authMethod !== 'none' && { secretHash: hashSecret(secret) }),
    createdAt: now,
    updatedAt: now,
  };
  if (!(await server.server.deps.storage.clients.create(client))) throw new Error(`client ${clientId} exists`);
  const encode = (value: string): string => encodeURIComponent(value).replace(/%20/g, '+');
  return { client, clientId, secret, basic: `Basic ${Buffer.from(`${encode(clientId)}:${encode(secret)}`).toString('base64')}` };
}

export interface UserTokens {
  readonly grantId: string;
  readonly accessToken: string;
  readonly refreshToken: string;
}

/**
 * What an authorization_code exchange will produce once /authorize exists: a grant for a user, and an access and a
 * refresh token issued under it by the server's own TokenIssuer.
 */
export async function issueUserTokens(
  server: TestServer,
  client: TestClient,
  options: { subject?: string; scope?: readonly string[]; resources?: readonly string[] } = {},
): Promise<UserTokens> {
  const { deps } = server.server;
  const now = deps.clock.now();
  const grantId = randomUUID();
  const scope = options.scope ?? ['openid', 'offline_access', 'read', 'write'];
  const resources = options.resources ?? [];
  await deps.storage.grants.create({
    id: grantId,
    clientId: client.clientId,
    subject: options.subject ?? 'user-alice',
    scope,
    resources,
    authTime: now,
    createdAt: now,
    expiresAt: now + 60_000,
  });
  const issued = await createTokenIssuer(deps).issue({
    client: client.client,
    audit: { grantType: 'authorization_code' },
    grantId,
    subject: options.subject ?? 'user-alice',
    scope,
    resources,
    authTime: now,
    refreshToken: true,
  });
  if (issued.refreshToken === undefined) throw new Error('no refresh token issued');
  return { grantId, accessToken: issued.accessToken, refreshToken: issued.refreshToken };
}

export interface FormResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly body: Record<string, unknown>;
  readonly text: string;
}

/** POSTs `params` form-encoded to `url`; the body parsed as JSON when there is one. */
export async function postForm(url: string, params: Record<string, string>, headers: Record<string, string> = {}): Promise<FormResponse> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(params).toString(),
  });
  const text = await response.text();
  const json = response.headers.get('content-type')?.startsWith('application/json') === true;
  return { status: response.status, headers: response.headers, text, body: json ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

/** Endpoint helpers bound to one server and one client (client_secret_basic). */
export function endpoints(server: TestServer) {
  const as = (client: TestClient) => ({ authorization: client.basic });
  return {
    token: (client: TestClient, params: Record<string, string>) => postForm(`${server.url}/token`, params, as(client)),
    introspect: (client: TestClient, token: string, extra: Record<string, string> = {}) => postForm(`${server.url}/introspect`, { token, ...extra }, as(client)),
    revoke: (client: TestClient, token: string, extra: Record<string, string> = {}) => postForm(`${server.url}/revoke`, { token, ...extra }, as(client)),
    refresh: (client: TestClient, refreshToken: string, extra: Record<string, string> = {}) =>
      postForm(`${server.url}/token`, { grant_type: 'refresh_token', refresh_token: refreshToken, ...extra }, as(client)),
  };
}
