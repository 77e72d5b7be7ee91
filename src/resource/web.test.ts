// The Web-standard adapter: RFC 6750 §3 responses, and the DPoP htu base URL behind a proxy (RFC 9449 §4.3).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dpopKey, dpopProof } from '../../test/resource/resource-server-contract.js';
import { startLocalIssuer, type LocalIssuer } from '../../test/support/local-issuer.js';
import { createAccessTokenVerifier } from './create-access-token-verifier.js';
import { ResourceError } from './resource-error.js';
import { resourceErrorResponse, webAuthenticator } from './web.js';

let issuer: LocalIssuer;
beforeAll(async () => {
  issuer = await startLocalIssuer();
});
afterAll(() => issuer.close());

describe('resourceErrorResponse (RFC 6750 §3)', () => {
  it('sends the status, the challenge, no-store, and a JSON body only when there is an error code', async () => {
    const refused = resourceErrorResponse(new ResourceError('insufficient_scope', 'needs write', 'Bearer error="insufficient_scope"'));
    expect(refused.status).toBe(403);
    expect(refused.headers.get('www-authenticate')).toBe('Bearer error="insufficient_scope"');
    expect(refused.headers.get('cache-control')).toBe('no-store');
    expect(await refused.json()).toEqual({ error: 'insufficient_scope', error_description: 'needs write' });
    const anonymous = resourceErrorResponse(new ResourceError(undefined, undefined, 'Bearer'));
    expect(anonymous.status).toBe(401);
    expect(await anonymous.text()).toBe('');
  });
});

describe('webAuthenticator', () => {
  it('RFC 9449 §4.3: with baseUrl, checks htu against the public origin', async () => {
    const verifier = createAccessTokenVerifier({ issuer: issuer.issuer, audience: issuer.audience });
    const authenticate = webAuthenticator(verifier, {}, { baseUrl: 'https://api.example.com' });
    const key = await dpopKey();
    const token = await issuer.jwt({ jkt: key.jkt });
    const send = async (htu: string) =>
      authenticate(new Request('http://10.0.0.7:3000/items?page=2', { headers: { authorization: `DPoP ${token}`, dpop: await dpopProof(key, 'GET', htu, token) } }));
    await expect(send('https://api.example.com/items')).resolves.toMatchObject({ tokenType: 'DPoP' });
    await expect(send('http://10.0.0.7:3000/items')).rejects.toMatchObject({ code: 'invalid_dpop_proof' });
  });
});
