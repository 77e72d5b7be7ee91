// Issue 9 item 2: transport input limits, over real loopback HTTP, on a Fastify app wired like the server
// (error handler, input limits, form parser) with a probe route that counts the requests that reached it.
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Params } from '../protocol/params.js';
import { INPUT_LIMITS } from '../protocol/limits.js';
import { registerErrorHandler } from './error-handler.js';
import { registerFormParser, registerInputLimits } from './input-limits.js';

let app: FastifyInstance;
let base: string;
let reached = 0;

beforeAll(async () => {
  app = Fastify();
  registerErrorHandler(app);
  registerInputLimits(app);
  registerFormParser(app);
  const probe = async (request: { body?: unknown; query?: unknown }): Promise<unknown> => {
    reached++;
    return Params.from(request.body ?? request.query).toObject();
  };
  app.post('/token', probe); // BODY_LIMITS['/token'] applies
  app.get('/authorize', probe);
  app.post('/json', probe);
  await app.ready();
  base = await app.listen({ host: '127.0.0.1', port: 0 });
});
afterAll(async () => {
  await app.close();
});

async function send(path: string, init: RequestInit = {}): Promise<{ status: number; body: Record<string, unknown>; reachedRoute: boolean }> {
  const before = reached;
  const response = await fetch(`${base}${path}`, init);
  return { status: response.status, body: (await response.json()) as Record<string, unknown>, reachedRoute: reached > before };
}
const form = (body: string | Buffer): RequestInit => ({ method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
const json = (body: string | Buffer): RequestInit => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body });

describe('issue 9 item 2: input limits before any work', () => {
  it('a well-formed form body passes unchanged', async () => {
    const result = await send('/token', form('grant_type=client_credentials&scope=a+b&state=%C3%A9t%C3%A9'));
    expect(result).toMatchObject({ status: 200, body: { grant_type: 'client_credentials', scope: 'a b', state: 'été' } });
  });

  it('RFC 6749 §3.2: a body over the endpoint limit is 413 payload_too_large', async () => {
    const result = await send('/token', form(`x=${'a'.repeat(40 * 1024)}`));
    expect(result).toMatchObject({ status: 413, body: { error: 'payload_too_large' }, reachedRoute: false });
  });

  it.each([
    ['invalid UTF-8 percent-encoding', 'a=%FF'],
    ['a truncated UTF-8 sequence', 'a=%E2%82'],
    ['a NUL byte', 'a=x%00y'],
    ['a NUL in a name', 'a%00=1'],
  ])('refuses %s in a form body with invalid_request', async (_what, body) => {
    expect(await send('/token', form(body))).toMatchObject({ status: 400, body: { error: 'invalid_request' }, reachedRoute: false });
  });

  it('refuses raw bytes that are not UTF-8', async () => {
    expect(await send('/token', form(Buffer.from([0x61, 0x3d, 0xc3, 0x28])))).toMatchObject({ status: 400, body: { error: 'invalid_request' }, reachedRoute: false });
  });

  it('refuses more parameters than the limit, in a body or a query', async () => {
    const many = Array.from({ length: INPUT_LIMITS.parameters + 1 }, (_, i) => `p${i}=1`).join('&');
    expect(await send('/token', form(many))).toMatchObject({ status: 400, body: { error: 'invalid_request' }, reachedRoute: false });
    expect(await send(`/authorize?${many}`)).toMatchObject({ status: 400, body: { error: 'invalid_request' }, reachedRoute: false });
  });

  it('refuses an over-long parameter, state and nonce (Params, where parameters are read)', async () => {
    expect(await send(`/authorize?client_id=${'c'.repeat(2049)}`)).toMatchObject({ status: 400, body: { error_description: expect.stringContaining('client_id') } });
    expect(await send(`/authorize?state=${'s'.repeat(1025)}`)).toMatchObject({ status: 400, body: { error_description: expect.stringContaining('state') } });
    expect(await send(`/authorize?nonce=${'n'.repeat(513)}`)).toMatchObject({ status: 400, body: { error_description: expect.stringContaining('nonce') } });
    expect(await send(`/authorize?scope=${Array.from({ length: 51 }, (_, i) => `s${i}`).join('+')}`)).toMatchObject({ status: 400, body: { error_description: expect.stringContaining('scope') } });
  });

  it('RFC 6749 §3.1: a repeated parameter is invalid_request', async () => {
    expect(await send('/authorize?state=a&state=b')).toMatchObject({ status: 400, body: { error: 'invalid_request', error_description: 'parameter state is repeated' } });
  });

  it('refuses an over-long request target and an over-long header', async () => {
    expect(await send(`/authorize?x=${'a'.repeat(INPUT_LIMITS.urlLength)}`)).toMatchObject({ status: 400, reachedRoute: false });
    expect(await send('/authorize', { headers: { 'x-filler': 'a'.repeat(INPUT_LIMITS.headerLength + 1) } })).toMatchObject({ status: 400, reachedRoute: false });
  });

  it('JSON: refuses invalid UTF-8, deep nesting, too many members, prototype keys and NUL', async () => {
    const deep = `${'['.repeat(INPUT_LIMITS.jsonDepth + 1)}${']'.repeat(INPUT_LIMITS.jsonDepth + 1)}`;
    for (const body of [
      Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d]),
      deep,
      JSON.stringify({ a: Array.from({ length: INPUT_LIMITS.jsonMembers + 1 }, () => 1) }),
      '{"__proto__": {"admin": true}}',
      '{"a": {"constructor": {"prototype": {}}}}',
      '{"a": "x\\u0000y"}',
      '{"a": ',
    ]) {
      expect(await send('/json', json(body))).toMatchObject({ status: 400, body: { error: 'invalid_request' }, reachedRoute: false });
    }
    expect(await send('/json', json('{"a": {"b": ["c"]}}'))).toMatchObject({ status: 400, reachedRoute: true }); // shape ok; Params refuses the object
  });

  it('only the media types a route parses: text/plain and others are 415', async () => {
    for (const type of ['text/plain', 'application/xml', 'multipart/form-data; boundary=x']) {
      expect(await send('/token', { method: 'POST', headers: { 'content-type': type }, body: 'a=b' })).toMatchObject({ status: 415, body: { error: 'unsupported_media_type' }, reachedRoute: false });
    }
  });
});
