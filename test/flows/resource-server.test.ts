// The resource-server suite end to end: latchkey/resource through every adapter, against a real Latchkey over
// loopback HTTP (tokens from /token, keys from /jwks, introspection and revocation by their endpoints).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccessTokenVerifier, ResourceError } from '../../src/resource/index.js';
import { resourceServerContract } from '../resource/resource-server-contract.js';
import type { IssuerUnderTest } from '../support/issuer-under-test.js';
import { startLatchkeyIssuer } from '../support/latchkey-issuer.js';

resourceServerContract('latchkey/resource against a running Latchkey', { issuer: startLatchkeyIssuer });

describe('RFC 7662 §4 with a running Latchkey: introspectionCacheSeconds 0', () => {
  let issuer: IssuerUnderTest;
  beforeAll(async () => {
    issuer = await startLatchkeyIssuer();
  });
  afterAll(() => issuer.close());

  it('refuses an opaque token as soon as POST /revoke has revoked it (RFC 7009 §2)', async () => {
    const verifier = createAccessTokenVerifier({ issuer: issuer.issuer, audience: issuer.audience, introspection: issuer.introspection, introspectionCacheSeconds: 0 });
    const token = await issuer.opaque({ scope: ['read'] });
    const request = { method: 'GET', url: `${issuer.audience}/x`, headers: { authorization: `Bearer ${token}` } };
    await expect(verifier.verify(request)).resolves.toMatchObject({ scope: ['read'], tokenType: 'Bearer' });
    await issuer.revoke(token);
    const error = await verifier.verify(request).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(ResourceError);
    expect(error).toMatchObject({ status: 401, code: 'invalid_token', description: 'the token is not active' });
  });

  it('finds jwks_uri and introspection_endpoint in the server metadata (RFC 8414 §3)', async () => {
    const metadata = (await (await fetch(`${issuer.issuer}/.well-known/oauth-authorization-server`)).json()) as Record<string, unknown>;
    expect(metadata).toMatchObject({ issuer: issuer.issuer, jwks_uri: expect.any(String), introspection_endpoint: expect.any(String) });
  });
});
