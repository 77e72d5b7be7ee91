// Test support for the admin API: a fixed admin token and an authenticated request helper.
import type { TestServer } from './test-server.js';

export const ADMIN_TOKEN = 'admin-token-for-tests-0123456789abcdef';

/** The environment that turns the admin API on, on a free loopback port. */
export const ADMIN_ENV = { LATCHKEY_ADMIN_PORT: '0', LATCHKEY_ADMIN_TOKEN: ADMIN_TOKEN } as const;

export async function adminRequest(server: TestServer, method: string, path: string, body?: unknown): Promise<Response> {
  if (server.server.adminUrl === undefined) throw new Error('the admin API is off: start the test server with ADMIN_ENV');
  return fetch(`${server.server.adminUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, ...(body !== undefined && { 'content-type': 'application/json' }) },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
}
