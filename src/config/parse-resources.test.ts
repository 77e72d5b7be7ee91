// RFC 8707 resources in the configuration: validated at start, each bad value one clear line.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './load-config.js';
import { parseResources } from './parse-resources.js';

describe('RFC 8707 §2: configured resources', () => {
  it('parses uri, scopes, accessTokenFormat, accessTokenTtlSeconds and clients', () => {
    expect(parseResources('[{"uri":"https://api.example.com","scopes":["read","read"],"accessTokenFormat":"jwt","accessTokenTtlSeconds":60,"clients":["gw"]}]')).toEqual([
      { uri: 'https://api.example.com', scopes: ['read'], accessTokenFormat: 'jwt', accessTokenTtlSeconds: 60, clients: ['gw'] },
    ]);
  });

  it.each([
    ['{}', 'must be a JSON array of resources'],
    ['[{"uri":"relative/path"}]', 'is not an absolute URI'],
    ['[{"uri":"https://api.example.com#frag"}]', 'must not have a fragment'],
    ['[{"uri":"https://a.example"},{"uri":"https://a.example"}]', 'listed twice'],
    ['[{"uri":"https://a.example","accessTokenFormat":"paseto"}]', 'accessTokenFormat must be jwt or opaque'],
    ['[{"uri":"https://a.example","scopes":["a b"]}]', 'RFC 6749 §3.3'],
    ['[{"uri":"https://a.example","colour":"blue"}]', 'unknown field "colour"'],
  ])('refuses %s', (raw, message) => {
    expect(() => parseResources(raw)).toThrow(message);
  });
});

describe('token settings', () => {
  it('default to a 10-minute access token, 14-day idle and 30-day absolute refresh lifetimes, no reuse grace, the issuer as audience', () => {
    const config = loadConfig({ env: { LATCHKEY_ISSUER: 'https://auth.example.com' } });
    expect(config.tokens).toEqual({ accessTokenTtlSeconds: 600, refreshTokenIdleSeconds: 14 * 86_400, refreshTokenAbsoluteSeconds: 30 * 86_400, refreshReuseGraceSeconds: 0 });
    expect(config.defaultAudience).toBe('https://auth.example.com');
    expect(config.resources).toEqual([]);
    expect(config.gc).toEqual({ intervalSeconds: 300, batchSize: 1000 });
  });

  it('read from the environment and from a config file\'s resources list', () => {
    const config = loadConfig({
      env: { LATCHKEY_ACCESS_TOKEN_TTL_SECONDS: '300', LATCHKEY_REFRESH_REUSE_GRACE_SECONDS: '10', LATCHKEY_RESOURCES: '[{"uri":"https://api.example.com"}]' },
    });
    expect(config.tokens.accessTokenTtlSeconds).toBe(300);
    expect(config.tokens.refreshReuseGraceSeconds).toBe(10);
    expect(config.resources).toEqual([{ uri: 'https://api.example.com' }]);
  });

  it('read from a config file: the tokens and gc sections, and resources as a JSON list', () => {
    const dir = mkdtempSync(join(tmpdir(), 'latchkey-config-'));
    try {
      const file = join(dir, 'latchkey.json');
      writeFileSync(file, JSON.stringify({
        tokens: { accessTokenTtlSeconds: 120, refreshReuseGraceSeconds: 5 },
        gc: { intervalSeconds: 0 },
        resources: [{ uri: 'https://api.example.com', scopes: ['read'], accessTokenFormat: 'jwt' }],
      }));
      const config = loadConfig({ file });
      expect(config.tokens).toMatchObject({ accessTokenTtlSeconds: 120, refreshReuseGraceSeconds: 5 });
      expect(config.gc.intervalSeconds).toBe(0);
      expect(config.resources).toEqual([{ uri: 'https://api.example.com', scopes: ['read'], accessTokenFormat: 'jwt' }]);
      writeFileSync(file, JSON.stringify({ tokens: { acessTokenTtlSeconds: 120 } }));
      expect(() => loadConfig({ file })).toThrow('unknown setting "tokens.acessTokenTtlSeconds"');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuse an access token lifetime longer than signing keys stay published', () => {
    expect(() => loadConfig({ env: { LATCHKEY_ACCESS_TOKEN_TTL_SECONDS: '7200', LATCHKEY_KEY_RETENTION_SECONDS: '3600' } })).toThrow(ConfigError);
  });

  it('name the setting in the message', () => {
    expect(() => loadConfig({ env: { LATCHKEY_RESOURCES: 'nope' } })).toThrow('LATCHKEY_RESOURCES: must be a JSON array of resources');
    expect(() => loadConfig({ env: { LATCHKEY_REFRESH_REUSE_GRACE_SECONDS: '600' } })).toThrow('LATCHKEY_REFRESH_REUSE_GRACE_SECONDS: must be a whole number from 0 to 60');
  });
});
