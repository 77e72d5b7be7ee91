// The public entry point: `latchkey/resource` resolves through package.json "exports" to dist/ (run `npm run build` first).
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const built = existsSync(new URL('../../dist/resource/index.js', import.meta.url));

describe('package.json exports "./resource"', () => {
  it('dist/resource/index.js exists (npm run build)', () => {
    expect(built, 'run `npm run build` before the tests').toBe(true);
  });

  it('resolves by package name (self-reference) and exposes the API', async () => {
    const resource = await import('latchkey/resource');
    expect(Object.keys(resource).sort()).toEqual(
      [
        'DEFAULT_ALGORITHMS', 'ResourceError', 'accessTokenHash', 'buildProtectedResourceMetadata', 'createAccessTokenVerifier',
        'expressAuthenticator', 'expressProtectedResourceMetadata', 'fastifyAuthenticator', 'fastifyResource', 'formatChallenge',
        'honoAuthenticator', 'protectedResourceMetadataPath', 'protectedResourceMetadataResponse', 'protectedResourceMetadataUrl',
        'resourceErrorResponse', 'webAuthenticator',
      ].sort(),
    );
    const verifier = resource.createAccessTokenVerifier({ issuer: 'https://as.example.com', audience: 'https://api.example.com' });
    const error = await verifier.verify({ method: 'GET', url: 'https://api.example.com/', headers: {} }).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(resource.ResourceError);
  });

  it('resolves in plain Node, outside the test runner', () => {
    const script = "const r = await import('latchkey/resource'); console.log(typeof r.createAccessTokenVerifier)";
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: new URL('../..', import.meta.url), encoding: 'utf8' });
    expect(out.trim()).toBe('function');
  });
});
