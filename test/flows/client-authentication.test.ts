// Client authentication end to end over real HTTP (RFC 6749 §2.3, RFC 7523 §3, OIDC Core §9): clients are
// registered through the admin API, and every method is tried with right and wrong credentials at a back-channel
// endpoint that runs authenticateClient behind the real error handler.
import { createPublicKey, randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashSecret } from '../../src/lib/hash.js';
import { ADMIN_ENV, adminRequest } from '../support/admin.js';
import { startAuthProbe, startJwksHost, type AuthProbe } from '../support/client-auth-probe.js';
import { assertionParams, basic, clientKeyPair, signAssertion, unsignedAssertion, type ClientKeyPair } from '../support/clients.js';
import { createPostgresDatabase, describePostgres } from '../support/postgres.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

interface Registered {
  client_id: string;
  client_secret?: string;
}

async function register(server: TestServer, metadata: Record<string, unknown>): Promise<Registered> {
  const response = await adminRequest(server, 'POST', '/admin/clients', { redirect_uris: ['https://app.example/cb'], ...metadata });
  expect(response.status).toBe(201);
  return (await response.json()) as Registered;
}

async function call(probe: AuthProbe, form: Record<string, string>, authorization?: string): Promise<{ status: number; body: Record<string, string>; challenge: string | null }> {
  const response = await fetch(probe.url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...(authorization !== undefined && { authorization }) },
    body: new URLSearchParams(form).toString(),
  });
  return { status: response.status, body: (await response.json()) as Record<string, string>, challenge: response.headers.get('www-authenticate') };
}

const expectInvalidClient = (result: Awaited<ReturnType<typeof call>>): void => {
  expect(result.status).toBe(401);
  expect(result.body.error).toBe('invalid_client');
};

function clientAuthenticationSuite(name: string, databaseUrl?: () => Promise<string>): void {
  describe(`${name}: client authentication end to end over HTTP`, () => {
    let server: TestServer;
    let probe: AuthProbe;
    let jwksHost: Awaited<ReturnType<typeof startJwksHost>>;
    let issuer: string;
    const clock = { offsetMs: 0, now: () => Date.now() + clock.offsetMs }; // real time that a test may move ahead

    beforeAll(async () => {
      jwksHost = await startJwksHost();
      server = await startTestServer({
        ...(databaseUrl !== undefined && { databaseUrl: await databaseUrl() }),
        clock,
        env: { ...ADMIN_ENV, LATCHKEY_ALLOW_LOOPBACK_JWKS_URI: 'true' },
      });
      probe = await startAuthProbe(server);
      issuer = server.issuer;
    });
    afterAll(async () => {
      await probe?.close();
      await server?.close();
      await jwksHost?.close();
    });

    describe('client_secret_basic (RFC 6749 §2.3.1)', () => {
      let client: Registered;
      beforeAll(async () => {
        client = await register(server, {});
      });

      it('accepts the right secret', async () => {
        const result = await call(probe, {}, basic(client.client_id, client.client_secret as string));
        expect(result).toMatchObject({ status: 200, body: { client_id: client.client_id, method: 'client_secret_basic' } });
      });
      it('refuses a wrong secret with 401 invalid_client and WWW-Authenticate: Basic (RFC 6749 §5.2)', async () => {
        const result = await call(probe, {}, basic(client.client_id, 'wrong-secret'));
        expectInvalidClient(result);
        expect(result.challenge).toMatch(/^Basic /);
      });
      it('refuses an unknown client the same way', async () => {
        const result = await call(probe, {}, basic('no-such-client', client.client_secret as string));
        expectInvalidClient(result);
        expect(result.challenge).toMatch(/^Basic /);
      });
      it('refuses the right secret sent with another method than the registered one', async () => {
        expectInvalidClient(await call(probe, { client_id: client.client_id, client_secret: client.client_secret as string }));
      });
      it('RFC 6749 §2.3.1: credentials are form-urlencoded before base64', async () => {
        const clientId = `urn:app:${randomUUID()} x`;
        const secret = 'p@ss w+rd:%/é';
        const now = Date.now();
        await server.server.deps.storage.clients.create({
          clientId,
          metadata: { redirect_uris: [], grant_types: ['client_credentials'], response_types: [], token_endpoint_auth_method: 'client_secret_basic' },
          policy: { accessTokenFormat: 'jwt', allowedLegacyGrants: [] },
          secretHash: hashSecret(secret),
          createdAt: now,
          updatedAt: now,
        });
        const encoded = (value: string) => encodeURIComponent(value).replace(/%20/g, '+');
        const header = `Basic ${Buffer.from(`${encoded(clientId)}:${encoded(secret)}`).toString('base64')}`;
        expect(await call(probe, {}, header)).toMatchObject({ status: 200, body: { client_id: clientId } });
      });
      it('RFC 6749 §2.3: more than one method in one request is invalid_request', async () => {
        const result = await call(probe, { client_secret: 'x', client_id: client.client_id }, basic(client.client_id, client.client_secret as string));
        expect(result.status).toBe(400);
        expect(result.body.error).toBe('invalid_request');
      });
    });

    describe('client_secret_post (RFC 6749 §2.3.1)', () => {
      let client: Registered;
      beforeAll(async () => {
        client = await register(server, { token_endpoint_auth_method: 'client_secret_post' });
      });

      it('accepts the right secret', async () => {
        const result = await call(probe, { client_id: client.client_id, client_secret: client.client_secret as string });
        expect(result).toMatchObject({ status: 200, body: { method: 'client_secret_post' } });
      });
      it('refuses a wrong secret, without a Basic challenge', async () => {
        const result = await call(probe, { client_id: client.client_id, client_secret: `${client.client_secret as string}x` });
        expectInvalidClient(result);
        expect(result.challenge).toBeNull();
      });
      it('refuses an unknown client', async () => {
        expectInvalidClient(await call(probe, { client_id: 'no-such-client', client_secret: client.client_secret as string }));
      });
    });

    describe('none (public clients, RFC 6749 §2.1)', () => {
      it('identifies a public client by client_id alone', async () => {
        const client = await register(server, { token_endpoint_auth_method: 'none' });
        expect(client.client_secret).toBeUndefined();
        expect(await call(probe, { client_id: client.client_id })).toMatchObject({ status: 200, body: { method: 'none' } });
      });
      it('refuses a confidential client that sends only its client_id', async () => {
        const client = await register(server, {});
        expectInvalidClient(await call(probe, { client_id: client.client_id }));
      });
      it('refuses a request with no client at all', async () => {
        expectInvalidClient(await call(probe, {}));
      });
    });

    describe('client_secret_jwt (RFC 7523 §3, OIDC Core §9)', () => {
      let client: Registered;
      let key: Uint8Array;
      const assertion = (claims: Partial<Parameters<typeof signAssertion>[2]> = {}, secret?: Uint8Array, alg = 'HS256') =>
        signAssertion(secret ?? key, alg, { clientId: client.client_id, audience: issuer, ...claims });

      beforeAll(async () => {
        client = await register(server, { token_endpoint_auth_method: 'client_secret_jwt' });
        key = new TextEncoder().encode(client.client_secret);
      });

      it('accepts an HS256 assertion with aud = the issuer', async () => {
        expect(await call(probe, assertionParams(await assertion()))).toMatchObject({ status: 200, body: { method: 'client_secret_jwt' } });
      });
      it('accepts aud = the endpoint URL, and aud = the token endpoint URL', async () => {
        expect((await call(probe, assertionParams(await assertion({ audience: probe.url })))).status).toBe(200);
        expect((await call(probe, assertionParams(await assertion({ audience: `${issuer}/token` })))).status).toBe(200);
      });
      it('refuses an assertion signed with a wrong secret', async () => {
        expectInvalidClient(await call(probe, assertionParams(await assertion({}, new TextEncoder().encode('not-the-secret-but-long-enough-0123456789')))));
      });
      it('refuses an expired assertion', async () => {
        const result = await call(probe, assertionParams(await assertion({ now: Date.now() - 600_000 })));
        expectInvalidClient(result);
        expect(result.body.error_description).toContain('expired');
      });
      it('RFC 7523 §3 item 7: refuses a replayed jti', async () => {
        const jwt = await assertion({ jti: randomUUID() });
        expect((await call(probe, assertionParams(jwt))).status).toBe(200);
        const replay = await call(probe, assertionParams(jwt));
        expectInvalidClient(replay);
        expect(replay.body.error_description).toContain('already used');
      });
      it('refuses a wrong audience', async () => {
        const result = await call(probe, assertionParams(await assertion({ audience: 'https://other-server.example' })));
        expectInvalidClient(result);
        expect(result.body.error_description).toContain('aud');
      });
      it('refuses alg none', async () => {
        expectInvalidClient(await call(probe, assertionParams(unsignedAssertion({ clientId: client.client_id, audience: issuer }))));
      });
      it('refuses an assertion issued in the future (iat beyond the allowed skew)', async () => {
        const result = await call(probe, assertionParams(await assertion({ now: Date.now() + 120_000 })));
        expectInvalidClient(result);
        expect(result.body.error_description).toContain('iat');
      });
      it('refuses an assertion that lives longer than 5 minutes', async () => {
        expectInvalidClient(await call(probe, assertionParams(await assertion({ expiresIn: 3600 }))));
      });
      it('refuses an assertion without jti', async () => {
        expectInvalidClient(await call(probe, assertionParams(await assertion({ jti: null }))));
      });
      it('refuses an assertion naming an unknown client', async () => {
        expectInvalidClient(await call(probe, assertionParams(await assertion({ clientId: 'no-such-client' }))));
      });
      it('RFC 7521 §4.2: a wrong client_assertion_type is invalid_request', async () => {
        const result = await call(probe, { ...assertionParams(await assertion()), client_assertion_type: 'urn:example:other' });
        expect(result.status).toBe(400);
        expect(result.body.error).toBe('invalid_request');
      });
    });

    describe('private_key_jwt with registered jwks (RFC 7523 §3)', () => {
      let client: Registered;
      let rsaClient: Registered;
      let es256: ClientKeyPair;
      let rs256: ClientKeyPair;
      const assertion = (claims: Partial<Parameters<typeof signAssertion>[2]> = {}, pair: ClientKeyPair = es256, id = client.client_id) =>
        signAssertion(pair.privateKey, pair.alg, { clientId: id, audience: issuer, ...claims }, pair.publicJwk.kid);

      beforeAll(async () => {
        es256 = await clientKeyPair('ES256');
        rs256 = await clientKeyPair('RS256');
        client = await register(server, { token_endpoint_auth_method: 'private_key_jwt', jwks: { keys: [es256.publicJwk] } });
        rsaClient = await register(server, { token_endpoint_auth_method: 'private_key_jwt', jwks: { keys: [rs256.publicJwk] } });
        expect(client.client_secret).toBeUndefined();
      });

      it('accepts ES256 and RS256 assertions signed with the registered keys', async () => {
        expect(await call(probe, assertionParams(await assertion()))).toMatchObject({ status: 200, body: { client_id: client.client_id, method: 'private_key_jwt' } });
        expect((await call(probe, assertionParams(await assertion({}, rs256, rsaClient.client_id))))).toMatchObject({ status: 200, body: { client_id: rsaClient.client_id } });
      });
      it('accepts client_id in the body when it matches the assertion', async () => {
        expect((await call(probe, { ...assertionParams(await assertion()), client_id: client.client_id })).status).toBe(200);
      });
      it('refuses an assertion signed with a key the client did not register', async () => {
        const stranger = await clientKeyPair('ES256', es256.publicJwk.kid as string);
        expectInvalidClient(await call(probe, assertionParams(await assertion({}, stranger))));
      });
      it('refuses HS256 signed with the client public key (algorithm confusion)', async () => {
        const pem = createPublicKey({ key: rs256.publicJwk as never, format: 'jwk' }).export({ type: 'spki', format: 'pem' }) as string;
        for (const secret of [new TextEncoder().encode(pem), new TextEncoder().encode(JSON.stringify(rs256.publicJwk))]) {
          const forged = await signAssertion(secret, 'HS256', { clientId: rsaClient.client_id, audience: issuer }, rs256.publicJwk.kid);
          expectInvalidClient(await call(probe, assertionParams(forged)));
        }
      });
      it('refuses alg none', async () => {
        expectInvalidClient(await call(probe, assertionParams(unsignedAssertion({ clientId: client.client_id, audience: issuer }))));
      });
      it('refuses an expired assertion', async () => {
        expectInvalidClient(await call(probe, assertionParams(await assertion({ now: Date.now() - 600_000 }))));
      });
      it('refuses a replayed assertion', async () => {
        const jwt = await assertion();
        expect((await call(probe, assertionParams(jwt))).status).toBe(200);
        expectInvalidClient(await call(probe, assertionParams(jwt)));
      });
      it('Issue #10 §2: RFC 7523 §3 item 7: the same jti in a newly signed assertion is still a replay, and the key cache takes no tampered payload', async () => {
        const jti = randomUUID();
        expect((await call(probe, assertionParams(await assertion({ jti }))))).toMatchObject({ status: 200, body: { client_id: client.client_id } });
        const again = await call(probe, assertionParams(await assertion({ jti, expiresIn: 120 }))); // other bytes, other signature, same jti
        expectInvalidClient(again);
        expect(again.body.error_description).toContain('already used');
        const [header, payload, signature] = (await assertion()).split('.');
        const claims = JSON.parse(Buffer.from(payload as string, 'base64url').toString()) as Record<string, unknown>;
        const tampered = `${header}.${Buffer.from(JSON.stringify({ ...claims, exp: (claims.exp as number) + 60 })).toString('base64url')}.${signature}`;
        const forged = await call(probe, assertionParams(tampered));
        expectInvalidClient(forged);
        expect(forged.body.error_description).toContain('signature');
      });
      it('Issue #10 §2: accepts PS256 and EdDSA, refuses nbf in the future and an aud array without this server', async () => {
        for (const alg of ['PS256', 'EdDSA'] as const) {
          const pair = await clientKeyPair(alg);
          const other = await register(server, { token_endpoint_auth_method: 'private_key_jwt', jwks: { keys: [pair.publicJwk] } });
          expect((await call(probe, assertionParams(await assertion({}, pair, other.client_id))))).toMatchObject({ status: 200, body: { client_id: other.client_id } });
        }
        const now = Math.floor(Date.now() / 1000);
        const early = await new SignJWT({ jti: randomUUID() })
          .setProtectedHeader({ alg: 'ES256', kid: es256.publicJwk.kid as string })
          .setIssuer(client.client_id)
          .setSubject(client.client_id)
          .setAudience(issuer)
          .setNotBefore(now + 120)
          .setExpirationTime(now + 240)
          .sign(es256.privateKey);
        const notYet = await call(probe, assertionParams(early));
        expectInvalidClient(notYet);
        expect(notYet.body.error_description).toContain('nbf');
        expectInvalidClient(await call(probe, assertionParams(await assertion({ audience: ['https://elsewhere.example', `${issuer}/x`] }))));
        expect((await call(probe, assertionParams(await assertion({ audience: ['https://elsewhere.example', issuer] }))))).toMatchObject({ status: 200 });
      });
      it('refuses a wrong audience', async () => {
        expectInvalidClient(await call(probe, assertionParams(await assertion({ audience: `${issuer}/elsewhere` }))));
      });
      it('refuses iss different from sub', async () => {
        expectInvalidClient(await call(probe, assertionParams(await assertion({ iss: rsaClient.client_id }))));
      });
      it('refuses a client_id that does not match the assertion', async () => {
        expectInvalidClient(await call(probe, { ...assertionParams(await assertion()), client_id: rsaClient.client_id }));
      });
      it('refuses an assertion for a client_secret_basic client', async () => {
        const secretClient = await register(server, {});
        expectInvalidClient(await call(probe, assertionParams(await assertion({}, es256, secretClient.client_id))));
      });
    });

    describe('private_key_jwt with a jwks_uri (fetched, cached, refetched once on an unknown kid)', () => {
      it('accepts the current key, caches it, refetches once for a rotated key, and fails when the host is gone', async () => {
        const first = await clientKeyPair('ES256');
        jwksHost.keys = [first.publicJwk];
        const client = await register(server, { token_endpoint_auth_method: 'private_key_jwt', jwks_uri: jwksHost.url });
        const sign = (pair: ClientKeyPair) => signAssertion(pair.privateKey, pair.alg, { clientId: client.client_id, audience: issuer, now: clock.now() }, pair.publicJwk.kid);

        expect((await call(probe, assertionParams(await sign(first)))).status).toBe(200);
        expect((await call(probe, assertionParams(await sign(first)))).status).toBe(200);
        expect(jwksHost.fetches()).toBe(1); // cached

        const stranger = await clientKeyPair('ES256');
        expectInvalidClient(await call(probe, assertionParams(await sign(stranger))));
        expect(jwksHost.fetches()).toBe(1); // a refetch right after a fetch is not repeated (cooldown)

        clock.offsetMs += 11_000; // past the refetch cooldown, inside the cache TTL
        const second = await clientKeyPair('EdDSA');
        jwksHost.keys = [second.publicJwk];
        expect((await call(probe, assertionParams(await sign(second)))).status).toBe(200); // unknown kid: one refetch
        expect(jwksHost.fetches()).toBe(2);

        await jwksHost.close();
        clock.offsetMs += 6 * 60_000; // the cached set expires; the host is gone
        const gone = await call(probe, assertionParams(await sign(second)));
        expectInvalidClient(gone);
        expect(gone.body.error_description).toContain('jwks_uri could not be fetched');
      });
    });
  });
}

clientAuthenticationSuite('SQLite');
describePostgres('PostgreSQL', () => clientAuthenticationSuite('PostgreSQL', createPostgresDatabase));
