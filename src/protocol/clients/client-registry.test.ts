import { generateKeyPairSync } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { basic, registryDeps, signAssertion, assertionParams, type RegistryTestDeps } from '../../../test/support/clients.js';
import { hashSecret } from '../../lib/hash.js';
import { authenticateClient } from '../client-authentication/authenticate-client.js';
import { Params } from '../params.js';
import { clientHmacSecrets } from './client-secrets.js';
import { createClient, deleteClient, getClient, rotateSecret, updateClient } from './client-registry.js';

const WEB = { redirect_uris: ['https://app.example/cb'] };

let deps: RegistryTestDeps;
beforeEach(async () => {
  deps = await registryDeps();
});
afterEach(async () => {
  await deps.storage.close();
});

const rsa1024 = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ format: 'jwk' });
const ecPair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const ecPublic = ecPair.publicKey.export({ format: 'jwk' });
const ecPrivate = ecPair.privateKey.export({ format: 'jwk' });

type Case = readonly [name: string, metadata: unknown, code: 'invalid_redirect_uri' | 'invalid_client_metadata', field: string, policy?: unknown];

const INVALID: readonly Case[] = [
  ['RFC 6749 §3.1.2: a relative redirect URI', { redirect_uris: ['/cb'] }, 'invalid_redirect_uri', 'redirect_uris'],
  ['RFC 6749 §3.1.2: a redirect URI with a fragment', { redirect_uris: ['https://app.example/cb#frag'] }, 'invalid_redirect_uri', 'redirect_uris'],
  ['RFC 8252 §7.3: http on a non-loopback host', { redirect_uris: ['http://app.example/cb'] }, 'invalid_redirect_uri', 'redirect_uris'],
  ['RFC 8252 §8.3: http on localhost (not a loopback IP literal)', { redirect_uris: ['http://localhost:3000/cb'] }, 'invalid_redirect_uri', 'redirect_uris'],
  ['a redirect URI with user credentials', { redirect_uris: ['https://user:pass@app.example/cb'] }, 'invalid_redirect_uri', 'redirect_uris'],
  ['RFC 9700 §4.1.3: a wildcard redirect URI', { redirect_uris: ['https://*.app.example/cb'] }, 'invalid_redirect_uri', 'redirect_uris'],
  ['a javascript: redirect URI', { redirect_uris: ['javascript:alert(1)'] }, 'invalid_redirect_uri', 'redirect_uris'],
  ['a data: redirect URI', { redirect_uris: ['data:text/html,hi'] }, 'invalid_redirect_uri', 'redirect_uris'],
  ['RFC 8252 §7.1: a private-use scheme that is not a reverse domain name', { redirect_uris: ['myapp:/cb'] }, 'invalid_redirect_uri', 'redirect_uris'],
  ['a redirect URI with whitespace', { redirect_uris: ['https://app.example/c b'] }, 'invalid_redirect_uri', 'redirect_uris'],
  ['RFC 7591 §2: no redirect URI for the authorization_code grant', { client_name: 'x' }, 'invalid_redirect_uri', 'redirect_uris'],
  ['more redirect URIs than the limit', { redirect_uris: Array.from({ length: 21 }, (_, i) => `https://app.example/cb${i}`) }, 'invalid_client_metadata', 'redirect_uris'],
  ['a redirect URI longer than the limit', { redirect_uris: [`https://app.example/${'a'.repeat(2000)}`] }, 'invalid_client_metadata', 'redirect_uris'],
  ['redirect_uris that is not an array', { redirect_uris: 'https://app.example/cb' }, 'invalid_client_metadata', 'redirect_uris'],
  ['metadata that is not a JSON object', [WEB], 'invalid_client_metadata', 'JSON object'],
  ['an unknown grant type', { ...WEB, grant_types: ['authorization_code', 'urn:example:magic'] }, 'invalid_client_metadata', 'grant_types'],
  ['RFC 7591 §2.1: response type token without the implicit grant', { ...WEB, grant_types: ['authorization_code'], response_types: ['code', 'token'] }, 'invalid_client_metadata', 'response_types'],
  ['OIDC Registration §2: response type id_token without the implicit grant', { ...WEB, grant_types: ['authorization_code'], response_types: ['code', 'id_token'] }, 'invalid_client_metadata', 'response_types'],
  ['RFC 7591 §2.1: the implicit grant without a token response type', { ...WEB, grant_types: ['implicit'], response_types: ['code'] }, 'invalid_client_metadata', 'response_types', { allowed_legacy_grants: ['implicit'] }],
  ['RFC 7591 §2.1: authorization_code without the code response type', { ...WEB, grant_types: ['authorization_code', 'implicit'], response_types: ['token'] }, 'invalid_client_metadata', 'grant_types', { allowed_legacy_grants: ['implicit'] }],
  ['RFC 9700 §2.1.2: the implicit grant without the policy allowing it', { ...WEB, grant_types: ['implicit'], response_types: ['token'] }, 'invalid_client_metadata', 'grant_types'],
  ['RFC 9700 §2.4: the password grant without the policy allowing it', { grant_types: ['password'] }, 'invalid_client_metadata', 'grant_types'],
  ['an unknown response type', { ...WEB, response_types: ['code foo'] }, 'invalid_client_metadata', 'response_types'],
  ['an unknown token_endpoint_auth_method', { ...WEB, token_endpoint_auth_method: 'client_secret_magic' }, 'invalid_client_metadata', 'token_endpoint_auth_method'],
  ['RFC 6749 §2.1: none (public) with client_credentials', { grant_types: ['client_credentials'], token_endpoint_auth_method: 'none' }, 'invalid_client_metadata', 'client_credentials'],
  ['token_endpoint_auth_signing_alg for a secret-based method', { ...WEB, token_endpoint_auth_signing_alg: 'HS256' }, 'invalid_client_metadata', 'token_endpoint_auth_signing_alg'],
  ['alg none for private_key_jwt', { ...WEB, token_endpoint_auth_method: 'private_key_jwt', jwks: { keys: [ecPublic] }, token_endpoint_auth_signing_alg: 'none' }, 'invalid_client_metadata', 'token_endpoint_auth_signing_alg'],
  ['HS256 for private_key_jwt', { ...WEB, token_endpoint_auth_method: 'private_key_jwt', jwks: { keys: [ecPublic] }, token_endpoint_auth_signing_alg: 'HS256' }, 'invalid_client_metadata', 'token_endpoint_auth_signing_alg'],
  ['RFC 7591 §2: jwks and jwks_uri together', { ...WEB, jwks: { keys: [ecPublic] }, jwks_uri: 'https://app.example/jwks' }, 'invalid_client_metadata', 'jwks'],
  ['private_key_jwt without any key', { ...WEB, token_endpoint_auth_method: 'private_key_jwt' }, 'invalid_client_metadata', 'jwks_uri'],
  ['jwks holding a private key', { ...WEB, jwks: { keys: [ecPrivate] } }, 'invalid_client_metadata', 'jwks'],
  ['jwks holding a symmetric key', { ...WEB, jwks: { keys: [{ kty: 'oct', k: 'c2VjcmV0' }] } }, 'invalid_client_metadata', 'jwks'],
  ['jwks holding an RSA key under 2048 bits', { ...WEB, jwks: { keys: [rsa1024] } }, 'invalid_client_metadata', 'jwks'],
  ['jwks that is not a JWK Set', { ...WEB, jwks: [ecPublic] }, 'invalid_client_metadata', 'jwks'],
  ['jwks_uri over http', { ...WEB, jwks_uri: 'http://app.example/jwks' }, 'invalid_client_metadata', 'jwks_uri'],
  ['jwks_uri over http on loopback when the server does not allow it', { ...WEB, jwks_uri: 'http://127.0.0.1:8080/jwks' }, 'invalid_client_metadata', 'jwks_uri'],
  ['a javascript: client_uri', { ...WEB, client_uri: 'javascript:alert(1)' }, 'invalid_client_metadata', 'client_uri'],
  ['an http logo_uri', { ...WEB, logo_uri: 'http://app.example/logo.png' }, 'invalid_client_metadata', 'logo_uri'],
  ['a tos_uri with a fragment', { ...WEB, tos_uri: 'https://app.example/tos#top' }, 'invalid_client_metadata', 'tos_uri'],
  ['RFC 6749 §3.3: a scope with an invalid character', { ...WEB, scope: 'openid "profile"' }, 'invalid_client_metadata', 'scope'],
  ['contacts that is not an array', { ...WEB, contacts: 'ops@app.example' }, 'invalid_client_metadata', 'contacts'],
  ['a client_name over the limit', { ...WEB, client_name: 'n'.repeat(201) }, 'invalid_client_metadata', 'client_name'],
  ['a client_name that is not a string', { ...WEB, client_name: 42 }, 'invalid_client_metadata', 'client_name'],
  ['a software_id over the limit', { ...WEB, software_id: 's'.repeat(256) }, 'invalid_client_metadata', 'software_id'],
  ['a negative default_max_age', { ...WEB, default_max_age: -1 }, 'invalid_client_metadata', 'default_max_age'],
  ['subject_type pairwise (unsupported)', { ...WEB, subject_type: 'pairwise' }, 'invalid_client_metadata', 'subject_type'],
  ['id_token_signed_response_alg none', { ...WEB, id_token_signed_response_alg: 'none' }, 'invalid_client_metadata', 'id_token_signed_response_alg'],
  ['require_auth_time that is not a boolean', { ...WEB, require_auth_time: 'yes' }, 'invalid_client_metadata', 'require_auth_time'],
  ['a post_logout_redirect_uri with a fragment', { ...WEB, post_logout_redirect_uris: ['https://app.example/bye#x'] }, 'invalid_client_metadata', 'post_logout_redirect_uris'],
  ['a backchannel_logout_uri over http', { ...WEB, backchannel_logout_uri: 'http://app.example/logout' }, 'invalid_client_metadata', 'backchannel_logout_uri'],
  ['an unknown access token format in the policy', WEB, 'invalid_client_metadata', 'policy.access_token_format', { access_token_format: 'paseto' }],
  ['an unknown policy setting', WEB, 'invalid_client_metadata', 'policy.', { superuser: true }],
];

describe('RFC 7591 §2: invalid client metadata is refused with a named error and nothing is stored', () => {
  it.each(INVALID)('%s', async (_name, metadata, code, field, policy) => {
    const attempt = createClient({ metadata, ...(policy !== undefined && { policy }) }, deps);
    await expect(attempt).rejects.toMatchObject({ code });
    const error = (await attempt.catch((e: unknown) => e)) as { description: string };
    expect(error.description).toContain(field);
    expect(error.description).toMatch(/^[\x20-\x21\x23-\x5b\x5d-\x7e]+$/); // RFC 6749 §5.2: ASCII, no " or \
    expect(await deps.storage.clients.list()).toEqual([]);
  });
});

describe('RFC 7591 §2: defaults and accepted metadata', () => {
  it('defaults grant_types to authorization_code, response_types to code and the method to client_secret_basic', async () => {
    const { client, clientSecret } = await createClient({ metadata: WEB }, deps);
    expect(client.metadata).toMatchObject({ grant_types: ['authorization_code'], response_types: ['code'], token_endpoint_auth_method: 'client_secret_basic' });
    expect(client.policy).toEqual({ accessTokenFormat: 'jwt', allowedLegacyGrants: [] });
    expect(clientSecret).toMatch(/^[A-Za-z0-9_-]{43}$/); // 32 bytes, base64url
    const stored = await deps.storage.clients.find(client.clientId);
    expect(stored?.secretHash).toBe(hashSecret(clientSecret as string));
    expect(JSON.stringify(stored)).not.toContain(clientSecret);
    expect(stored?.sealedSecret).toBeUndefined(); // sealed only for client_secret_jwt
  });

  it('RFC 8252 §7.3 and §7.1: accepts loopback IP literals on any port and reverse-domain private-use schemes', async () => {
    const uris = ['http://127.0.0.1:8080/cb', 'http://[::1]/cb', 'http://127.0.0.1/cb', 'com.example.app:/oauth2redirect', 'https://app.example/cb?x=1'];
    const { client } = await createClient({ metadata: { redirect_uris: uris, token_endpoint_auth_method: 'none' } }, deps);
    expect(client.metadata.redirect_uris).toEqual(uris);
    expect(client.secretHash).toBeUndefined();
  });

  it('derives response_types [] for client_credentials only, with no redirect URI needed', async () => {
    const { client } = await createClient({ metadata: { grant_types: ['client_credentials'] } }, deps);
    expect(client.metadata).toMatchObject({ grant_types: ['client_credentials'], response_types: [], redirect_uris: [] });
  });

  it('normalizes combined response types and accepts implicit when the policy allows it', async () => {
    const { client } = await createClient({ metadata: { ...WEB, grant_types: ['authorization_code', 'implicit'], response_types: ['token code'] }, policy: { allowed_legacy_grants: ['implicit'] } }, deps);
    expect(client.metadata.response_types).toEqual(['code token']);
  });

  it('ignores metadata it does not understand (RFC 7591 §2)', async () => {
    const { client } = await createClient({ metadata: { ...WEB, 'client_name#fr': 'Démo', frobnicate: true } }, deps);
    expect(client.metadata).not.toHaveProperty('frobnicate');
  });

  it('seals the secret of a client_secret_jwt client with the master key', async () => {
    const { client, clientSecret } = await createClient({ metadata: { ...WEB, token_endpoint_auth_method: 'client_secret_jwt' } }, deps);
    expect(client.sealedSecret).toBeDefined();
    expect(clientHmacSecrets(client, deps.masterKey, deps.clock.now())).toEqual([clientSecret]);
  });

  it('dynamic registration always gets the default policy and a registration access token', async () => {
    const change = await createClient({ metadata: WEB, policy: { access_token_format: 'opaque', skip_consent: true } }, deps, { dynamic: true });
    expect(change.client.policy).toEqual({ accessTokenFormat: 'jwt', allowedLegacyGrants: [] });
    expect(change.client.registrationAccessTokenHash).toBe(hashSecret(change.registrationAccessToken as string));
  });
});

describe('RFC 7592 §2.2: updates replace the metadata', () => {
  it('an invalid update leaves the client as it was', async () => {
    const { client } = await createClient({ metadata: WEB }, deps);
    await expect(updateClient(client.clientId, { metadata: { redirect_uris: ['http://app.example/cb'] } }, deps)).rejects.toMatchObject({ code: 'invalid_redirect_uri' });
    expect(await getClient(client.clientId, deps)).toEqual(client);
  });

  it('moving to none drops the secret; moving back issues a new one; client_secret_jwt gets a sealed one', async () => {
    const { client, clientSecret } = await createClient({ metadata: WEB }, deps);
    const publicClient = await updateClient(client.clientId, { metadata: { ...WEB, token_endpoint_auth_method: 'none' } }, deps);
    expect(publicClient.client.secretHash).toBeUndefined();
    expect(publicClient.clientSecret).toBeUndefined();
    const confidential = await updateClient(client.clientId, { metadata: WEB }, deps);
    expect(confidential.clientSecret).toBeDefined();
    expect(confidential.clientSecret).not.toBe(clientSecret);
    const jwt = await updateClient(client.clientId, { metadata: { ...WEB, token_endpoint_auth_method: 'client_secret_jwt' } }, deps);
    expect(jwt.clientSecret).toBeDefined(); // a hash cannot become an HMAC key: a new secret is issued and sealed
    expect(clientHmacSecrets(jwt.client, deps.masterKey, deps.clock.now())).toEqual([jwt.clientSecret]);
    const same = await updateClient(client.clientId, { metadata: { ...WEB, token_endpoint_auth_method: 'client_secret_post', client_name: 'renamed' } }, deps);
    expect(same.clientSecret).toBeUndefined(); // the secret is kept
    expect(same.client.sealedSecret).toBeUndefined();
  });

  it('delete removes the client; a second delete is not_found', async () => {
    const { client } = await createClient({ metadata: WEB }, deps);
    await deleteClient(client.clientId, deps);
    await expect(getClient(client.clientId, deps)).rejects.toMatchObject({ code: 'not_found' });
    await expect(deleteClient(client.clientId, deps)).rejects.toMatchObject({ code: 'not_found' });
  });
});

describe('client secret rotation keeps the previous secret only for the grace period', () => {
  const authenticate = (clientId: string, secret: string) =>
    authenticateClient({ authorization: basic(clientId, secret), params: Params.of({}), endpointUrl: 'https://auth.example/token' }, deps);

  it('without grace the old secret stops at once', async () => {
    const { client, clientSecret } = await createClient({ metadata: WEB }, deps);
    const rotated = await rotateSecret(client.clientId, { graceSeconds: 0 }, deps);
    await expect(authenticate(client.clientId, clientSecret as string)).rejects.toMatchObject({ code: 'invalid_client' });
    await expect(authenticate(client.clientId, rotated.clientSecret as string)).resolves.toMatchObject({ clientId: client.clientId });
  });

  it('with a grace period the old secret works until it ends, then fails', async () => {
    const { client, clientSecret } = await createClient({ metadata: WEB }, deps);
    const rotated = await rotateSecret(client.clientId, { graceSeconds: 60 }, deps);
    deps.clock.advance(59_000);
    await expect(authenticate(client.clientId, clientSecret as string)).resolves.toMatchObject({ clientId: client.clientId });
    deps.clock.advance(2_000);
    await expect(authenticate(client.clientId, clientSecret as string)).rejects.toMatchObject({ code: 'invalid_client' });
    await expect(authenticate(client.clientId, rotated.clientSecret as string)).resolves.toMatchObject({ clientId: client.clientId });
  });

  it('the grace defaults to the configured LATCHKEY_CLIENT_SECRET_GRACE_SECONDS', async () => {
    await deps.storage.close();
    deps = await registryDeps({ env: { LATCHKEY_CLIENT_SECRET_GRACE_SECONDS: '30' } });
    const { client, clientSecret } = await createClient({ metadata: WEB }, deps);
    const rotated = await rotateSecret(client.clientId, {}, deps);
    expect(rotated.client.previousSecretExpiresAt).toBe(deps.clock.now() + 30_000);
    await expect(authenticate(client.clientId, clientSecret as string)).resolves.toBeDefined();
  });

  it('client_secret_jwt: an assertion signed with the previous secret works during the grace period only', async () => {
    const { client, clientSecret } = await createClient({ metadata: { ...WEB, token_endpoint_auth_method: 'client_secret_jwt' } }, deps);
    await rotateSecret(client.clientId, { graceSeconds: 60 }, deps);
    const assert = async () =>
      authenticateClient(
        {
          params: Params.of(assertionParams(await signAssertion(new TextEncoder().encode(clientSecret), 'HS256', { clientId: client.clientId, audience: 'https://auth.example', now: deps.clock.now() }))),
          endpointUrl: 'https://auth.example/token',
        },
        deps,
      );
    await expect(assert()).resolves.toMatchObject({ clientId: client.clientId });
    deps.clock.advance(61_000);
    await expect(assert()).rejects.toMatchObject({ code: 'invalid_client' });
  });

  it('a public client has no secret to rotate', async () => {
    const { client } = await createClient({ metadata: { ...WEB, token_endpoint_auth_method: 'none' } }, deps);
    await expect(rotateSecret(client.clientId, {}, deps)).rejects.toMatchObject({ code: 'invalid_request' });
  });
});
