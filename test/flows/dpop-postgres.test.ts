// RFC 9449 §11.1 and §8 across processes: two servers sharing one PostgreSQL (and so one master key) accept a DPoP
// proof once between them, and honour each other's nonces.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { MasterKey } from '../../src/lib/master-key.js';
import { dpopKey, dpopProof } from '../support/dpop.js';
import { createPostgresDatabase, describePostgres } from '../support/postgres.js';
import { createTestClient, postForm, type TestClient } from '../support/token-fixtures.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

describePostgres('RFC 9449 §11.1: DPoP proofs across two servers on one PostgreSQL', () => {
  // Behind one load balancer both answer for one issuer, so a proof's htu is the same at either.
  const issuer = 'http://127.0.0.1:9999';
  let servers: TestServer[] = [];
  let client: TestClient;
  beforeAll(async () => {
    const databaseUrl = await createPostgresDatabase();
    const env = { LATCHKEY_MASTER_KEY: MasterKey.generate().encoded, LATCHKEY_ISSUER: issuer, LATCHKEY_DPOP_REQUIRE_NONCE: 'true' };
    servers = [await startTestServer({ databaseUrl, env }), await startTestServer({ databaseUrl, env })];
    client = await createTestClient(servers[0] as TestServer);
  });
  afterAll(() => Promise.all(servers.map((server) => server.close())));

  const tokenAt = (server: TestServer, proof: string) =>
    postForm(`${server.url}/token`, { grant_type: 'client_credentials' }, { authorization: client.basic, dpop: proof });

  it('a nonce from one server is good at the other, and a proof used at one is refused at the other', async () => {
    const [first, second] = servers as [TestServer, TestServer];
    const key = await dpopKey();
    const challenge = await tokenAt(first, await dpopProof(key, { htu: `${issuer}/token` }));
    expect(challenge.body.error).toBe('use_dpop_nonce');
    const nonce = String(challenge.headers.get('dpop-nonce'));
    const proof = await dpopProof(key, { htu: `${issuer}/token`, nonce });
    expect((await tokenAt(second, proof)).status).toBe(200);
    const replayed = await tokenAt(first, proof);
    expect(replayed.status).toBe(400);
    expect(replayed.body.error).toBe('invalid_dpop_proof');
  });

  it('of ten simultaneous presentations of one proof, split across the servers, exactly one succeeds', async () => {
    const [first, second] = servers as [TestServer, TestServer];
    const key = await dpopKey();
    const nonce = String((await tokenAt(first, await dpopProof(key, { htu: `${issuer}/token` }))).headers.get('dpop-nonce'));
    const proof = await dpopProof(key, { htu: `${issuer}/token`, nonce });
    const responses = await Promise.all(Array.from({ length: 10 }, (_, i) => tokenAt(i % 2 === 0 ? first : second, proof)));
    expect(responses.filter((response) => response.status === 200)).toHaveLength(1);
    for (const response of responses.filter((r) => r.status !== 200)) expect(response.body.error).toBe('invalid_dpop_proof');
  });
});
