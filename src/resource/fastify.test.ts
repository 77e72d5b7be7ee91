// The Fastify plugin's routing of requirements (route config, opt-out, plugin-wide scopes) and the htu base URL.
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dpopKey, dpopProof } from '../../test/resource/resource-server-contract.js';
import { startLocalIssuer, type LocalIssuer } from '../../test/support/local-issuer.js';
import { createAccessTokenVerifier } from './create-access-token-verifier.js';
import { fastifyResource } from './fastify.js';

let issuer: LocalIssuer;
beforeAll(async () => {
  issuer = await startLocalIssuer();
});
afterAll(() => issuer.close());

async function appWith(options: { scopes?: string[]; baseUrl?: string }) {
  const verifier = createAccessTokenVerifier({ issuer: issuer.issuer, audience: issuer.audience });
  const app = Fastify();
  await app.register(fastifyResource, { verifier, requirements: { scopes: options.scopes ?? [] }, ...(options.baseUrl !== undefined && { baseUrl: options.baseUrl }) });
  app.get('/open', { config: { resource: false } }, async () => 'open');
  app.get('/read', async () => 'read');
  app.get('/admin', { config: { resource: { scopes: ['admin'] } } }, async () => 'admin');
  return app;
}

describe('fastifyResource', () => {
  it('protects every route, lets a route opt out, and adds a route\'s scopes to the plugin\'s (RFC 6750 §3.1)', async () => {
    const app = await appWith({ scopes: ['read'] });
    const auth = { authorization: `Bearer ${await issuer.jwt({ scope: ['read'] })}` };
    expect((await app.inject({ url: '/open' })).statusCode).toBe(200);
    expect((await app.inject({ url: '/read' })).statusCode).toBe(401);
    expect((await app.inject({ url: '/read', headers: auth })).statusCode).toBe(200);
    const admin = await app.inject({ url: '/admin', headers: auth });
    expect(admin.statusCode).toBe(403);
    expect(admin.headers['www-authenticate']).toContain('scope="read admin"');
    const noRead = await app.inject({ url: '/read', headers: { authorization: `Bearer ${await issuer.jwt({ scope: ['write'] })}` } });
    expect(noRead.statusCode).toBe(403);
    await app.close();
  });

  it('RFC 9449 §4.3: with baseUrl, htu is checked against the public origin, not the Host header', async () => {
    const app = await appWith({ baseUrl: 'https://api.example.com' });
    const key = await dpopKey();
    const token = await issuer.jwt({ jkt: key.jkt });
    const send = async (htu: string) =>
      (await app.inject({ url: '/read', headers: { host: 'internal:8080', authorization: `DPoP ${token}`, dpop: await dpopProof(key, 'GET', htu, token) } })).statusCode;
    expect(await send('https://api.example.com/read')).toBe(200);
    expect(await send('http://internal:8080/read')).toBe(401);
    await app.close();
  });
});

describe('Issue #9: the issuer cannot be reached', () => {
  it('answers 503 temporarily_unavailable, not 500 and not 401 (RFC 6750 §3 has no code for it)', async () => {
    const closed = Fastify();
    await closed.listen({ host: '127.0.0.1', port: 0 });
    const deadIssuer = `http://127.0.0.1:${(closed.server.address() as { port: number }).port}`;
    await closed.close(); // nothing listens there now
    const verifier = createAccessTokenVerifier({ issuer: deadIssuer, audience: issuer.audience, httpTimeoutMs: 2000 });
    const app = Fastify();
    await app.register(fastifyResource, { verifier });
    app.get('/read', async () => 'read');
    const token = await issuer.jwt({ scope: ['read'] });
    for (const authorization of [`Bearer ${token}`, `DPoP ${token}`]) {
      const response = await app.inject({ url: '/read', headers: { authorization } });
      expect(response.statusCode).toBe(503);
      expect(response.json()).toEqual({ error: 'temporarily_unavailable', error_description: 'the authorization server could not be reached; try again later' });
      expect(response.headers['www-authenticate']).not.toContain('error=');
      expect(response.body).not.toContain(token);
    }
    // no credentials: still the plain 401 challenge, the issuer is not needed for that
    expect((await app.inject({ url: '/read' })).statusCode).toBe(401);
    await app.close();
  });
});
