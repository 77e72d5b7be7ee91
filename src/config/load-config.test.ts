import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, type ConfigSources } from './load-config.js';

const folder = mkdtempSync(join(tmpdir(), 'latchkey-config-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

let files = 0;
function configFile(contents: unknown): string {
  const path = join(folder, `config-${++files}.json`);
  writeFileSync(path, typeof contents === 'string' ? contents : JSON.stringify(contents));
  return path;
}

/** The ConfigError that loading `sources` throws; fails the test if it does not throw one. */
function configError(sources: ConfigSources): ConfigError {
  try {
    loadConfig(sources);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as ConfigError).message;
    expect(message, 'a ConfigError is printed as one line').not.toMatch(/[\r\n]/);
    return error as ConfigError;
  }
  throw new Error(`expected a ConfigError for ${JSON.stringify(sources)}`);
}

describe('Issue #2 §3: configuration precedence is flags > environment > config file > defaults', () => {
  it('takes a value from the config file over the default', () => {
    const file = configFile({ port: 1111, registration: 'token', keys: { prePublicationSeconds: 60 } });
    const config = loadConfig({ file });
    expect(config.port).toBe(1111);
    expect(config.registration).toBe('token');
    expect(config.keys.prePublicationSeconds).toBe(60);
  });

  it('takes the environment over the config file', () => {
    const file = configFile({ port: 1111, registration: 'token' });
    const config = loadConfig({ file, env: { LATCHKEY_PORT: '2222' } });
    expect(config.port).toBe(2222);
    expect(config.registration).toBe('token'); // settings the environment leaves alone still come from the file
  });

  it('takes a flag over the environment and the config file', () => {
    const file = configFile({ port: 1111 });
    const config = loadConfig({ file, env: { LATCHKEY_PORT: '2222' }, flags: { port: '3333' } });
    expect(config.port).toBe(3333);
  });

  it('reads the config file named by --config or LATCHKEY_CONFIG', () => {
    expect(loadConfig({ flags: { config: configFile({ port: 4444 }) } }).port).toBe(4444);
    expect(loadConfig({ env: { LATCHKEY_CONFIG: configFile({ port: 5555 }) } }).port).toBe(5555);
  });

  it('treats an empty environment variable as unset', () => {
    const file = configFile({ port: 1111 });
    expect(loadConfig({ file, env: { LATCHKEY_PORT: '' } }).port).toBe(1111);
  });

  it('uses the secure defaults when nothing is set', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 9000,
      dataDir: './data',
      registration: 'off',
      masterKey: undefined,
      keys: { accessTokenAlg: 'ES256', idTokenAlg: 'RS256', prePublicationSeconds: 3600, refreshSeconds: 10 },
    });
  });
});

describe('Issue #2 §2: defaults derived from other settings', () => {
  it('defaults the issuer to http://localhost:<port>', () => {
    expect(loadConfig({}).issuer).toBe('http://localhost:9000');
    expect(loadConfig({ env: { LATCHKEY_PORT: '8123' } }).issuer).toBe('http://localhost:8123');
  });

  it('defaults the database to sqlite:<dataDir>/latchkey.db', () => {
    expect(loadConfig({}).databaseUrl).toBe(`sqlite:${join('./data', 'latchkey.db')}`);
    expect(loadConfig({ env: { LATCHKEY_DATA_DIR: '/var/lib/latchkey' } }).databaseUrl).toBe('sqlite:/var/lib/latchkey/latchkey.db');
  });

  it('keeps an explicit database URL over the data-folder default', () => {
    const config = loadConfig({ env: { LATCHKEY_DATA_DIR: '/srv/x', LATCHKEY_DATABASE_URL: 'postgres://u:p@db:5432/latchkey' } });
    expect(config.databaseUrl).toBe('postgres://u:p@db:5432/latchkey');
  });
});

describe('RFC 8414 §2: the issuer is an https URL with no query or fragment', () => {
  it('rejects an issuer that is not a URL, naming the setting', () => {
    expect(configError({ env: { LATCHKEY_ISSUER: 'not a url' } }).message).toMatch(/^LATCHKEY_ISSUER: .*absolute URL/);
    expect(configError({ flags: { issuer: 'auth.example.com' } }).message).toMatch(/^--issuer: /);
    expect(configError({ file: configFile({ issuer: 'nope' }) }).message).toMatch(/^"issuer" in .*config-\d+\.json: /);
  });

  it('rejects http on a public host', () => {
    expect(configError({ env: { LATCHKEY_ISSUER: 'http://auth.example.com' } }).message).toMatch(/^LATCHKEY_ISSUER: must use https/);
    expect(configError({ env: { LATCHKEY_ISSUER: 'http://10.0.0.1:9000' } }).message).toMatch(/^LATCHKEY_ISSUER: must use https/);
  });

  it('rejects other schemes', () => {
    expect(configError({ env: { LATCHKEY_ISSUER: 'ftp://auth.example.com' } }).message).toMatch(/^LATCHKEY_ISSUER: must use https/);
  });

  it('allows http only on loopback (localhost, 127.0.0.1, [::1]) for development', () => {
    for (const issuer of ['http://localhost:9000', 'http://127.0.0.1:9000', 'http://[::1]:9000']) {
      expect(loadConfig({ env: { LATCHKEY_ISSUER: issuer } }).issuer).toBe(issuer);
    }
  });

  it('accepts https with a path, without its trailing slash', () => {
    expect(loadConfig({ env: { LATCHKEY_ISSUER: 'https://auth.example.com/tenant/' } }).issuer).toBe('https://auth.example.com/tenant');
    expect(loadConfig({ env: { LATCHKEY_ISSUER: 'https://auth.example.com' } }).issuer).toBe('https://auth.example.com');
  });

  it('rejects an issuer with a query or a fragment, even an empty one', () => {
    for (const issuer of ['https://auth.example.com?tenant=a', 'https://auth.example.com#top', 'https://auth.example.com/?', 'https://auth.example.com/#']) {
      expect(configError({ env: { LATCHKEY_ISSUER: issuer } }).message).toBe('LATCHKEY_ISSUER: must not have a query or fragment');
    }
  });

  it('rejects an issuer with credentials in it', () => {
    expect(configError({ env: { LATCHKEY_ISSUER: 'https://user:pw@auth.example.com' } }).message).toMatch(/^LATCHKEY_ISSUER: .*credentials/);
  });
});

describe('Issue #2 §3: each bad value throws one ConfigError line naming the setting and what is allowed', () => {
  it('rejects an unknown database scheme', () => {
    const message = configError({ env: { LATCHKEY_DATABASE_URL: 'mysql://x' } }).message;
    expect(message).toMatch(/^LATCHKEY_DATABASE_URL: /);
    expect(message).toContain('sqlite:PATH or postgres://');
  });

  it('rejects an empty sqlite path', () => {
    expect(configError({ env: { LATCHKEY_DATABASE_URL: 'sqlite:' } }).message).toMatch(/^LATCHKEY_DATABASE_URL: /);
  });

  it('rejects a port that is not a whole number from 0 to 65535', () => {
    for (const port of ['65536', '-1', 'http', '80.5', '1e3', ' 80']) {
      expect(configError({ env: { LATCHKEY_PORT: port } }).message).toBe('LATCHKEY_PORT: must be a whole number from 0 to 65535');
    }
    expect(configError({ flags: { port: 'x' } }).message).toMatch(/^--port: /);
  });

  it('rejects a registration mode other than off, token or open', () => {
    expect(configError({ env: { LATCHKEY_REGISTRATION: 'maybe' } }).message).toBe('LATCHKEY_REGISTRATION: must be one of off, token, open');
  });

  it('rejects an unknown signing algorithm', () => {
    expect(configError({ env: { LATCHKEY_ACCESS_TOKEN_ALG: 'HS256' } }).message).toMatch(/^LATCHKEY_ACCESS_TOKEN_ALG: must be one of ES256, RS256, EdDSA/);
  });

  it('Issue #9 §6: reads the key ring refresh interval, 1 s to an hour', () => {
    expect(loadConfig({ env: { LATCHKEY_KEY_REFRESH_SECONDS: '1' } }).keys.refreshSeconds).toBe(1);
    expect(configError({ env: { LATCHKEY_KEY_REFRESH_SECONDS: '0' } }).message).toMatch(/^LATCHKEY_KEY_REFRESH_SECONDS: must be a whole number from 1 to 3600/);
  });

  it('rejects a retention shorter than a minute', () => {
    expect(configError({ env: { LATCHKEY_KEY_RETENTION_SECONDS: '5' } }).message).toMatch(/^LATCHKEY_KEY_RETENTION_SECONDS: /);
  });

  it('rejects an unknown key in the config file, naming it', () => {
    const file = configFile({ port: 9000, prot: 9001 });
    expect(configError({ file }).message).toBe(`config file ${file}: unknown setting "prot"`);
  });

  it('names the config file setting when its value is bad', () => {
    const file = configFile({ registration: 'maybe' });
    expect(configError({ file }).message).toBe(`"registration" in ${file}: must be one of off, token, open`);
  });

  it('rejects a config file that is not a JSON object, or is missing', () => {
    expect(configError({ file: configFile('[1, 2]') }).message).toMatch(/must be a JSON object$/);
    expect(configError({ file: configFile('{ not json') }).message).toMatch(/must be a JSON object$/);
    expect(configError({ file: join(folder, 'missing.json') }).message).toMatch(/cannot be read \(ENOENT\)$/);
  });

  it('requires an admin token when the admin API is on', () => {
    expect(configError({ env: { LATCHKEY_ADMIN_PORT: '9001' } }).message).toMatch(/^LATCHKEY_ADMIN_TOKEN: /);
  });
});

describe('config file: a nested typo is an error, not ignored', () => {
  it('refuses an unknown key inside a known section', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const file = join(mkdtempSync(join(tmpdir(), 'lk-cfg-')), 'latchkey.json');
    writeFileSync(file, JSON.stringify({ keys: { prePublicaton: 60 } }));
    expect(() => loadConfig({ file })).toThrow(/unknown setting "keys\.prePublicaton"/);
    writeFileSync(file, JSON.stringify({ keys: { prePublicationSeconds: 60 } }));
    expect(loadConfig({ file }).keys.prePublicationSeconds).toBe(60);
  });
});

describe('RFC 9449: DPoP settings', () => {
  it('defaults to a 60 s proof window and no required nonce, and reads the file and the environment', () => {
    expect(loadConfig({}).dpop).toEqual({ proofMaxAgeSeconds: 60, requireNonce: false, nonceLifetimeSeconds: 300 });
    const file = configFile({ dpop: { requireNonce: true, nonceLifetimeSeconds: 120 } });
    expect(loadConfig({ file, env: { LATCHKEY_DPOP_PROOF_MAX_AGE_SECONDS: '30' } }).dpop).toEqual({ proofMaxAgeSeconds: 30, requireNonce: true, nonceLifetimeSeconds: 120 });
  });

  it('refuses a proof window that is not 5 to 600 seconds, and a requireNonce that is not true or false', () => {
    expect(configError({ env: { LATCHKEY_DPOP_PROOF_MAX_AGE_SECONDS: '0' } }).message).toMatch(/LATCHKEY_DPOP_PROOF_MAX_AGE_SECONDS/);
    expect(configError({ env: { LATCHKEY_DPOP_REQUIRE_NONCE: 'yes' } }).message).toMatch(/LATCHKEY_DPOP_REQUIRE_NONCE/);
    expect(configError({ file: configFile({ dpop: { requireNonces: true } }) }).message).toMatch(/dpop.requireNonces/);
  });
});

describe('RFC 9700 §4.13: trustProxy names the proxies whose X-Forwarded-For is believed', () => {
  it('is off by default', () => {
    expect(loadConfig({}).trustProxy).toBe(false);
  });

  it('takes addresses and CIDR ranges from the environment, a flag or a JSON array in the config file', () => {
    expect(loadConfig({ env: { LATCHKEY_TRUST_PROXY: '10.0.0.1, 192.168.0.0/16,::1' } }).trustProxy).toEqual(['10.0.0.1', '192.168.0.0/16', '::1']);
    expect(loadConfig({ flags: { 'trust-proxy': 'loopback' } }).trustProxy).toEqual(['loopback']);
    expect(loadConfig({ file: configFile({ trustProxy: ['fd00::/8', '172.16.0.0/12'] }) }).trustProxy).toEqual(['fd00::/8', '172.16.0.0/12']);
  });

  it('takes a hop count, and false or 0 as off', () => {
    expect(loadConfig({ env: { LATCHKEY_TRUST_PROXY: '2' } }).trustProxy).toBe(2);
    expect(loadConfig({ file: configFile({ trustProxy: 1 }) }).trustProxy).toBe(1);
    expect(loadConfig({ env: { LATCHKEY_TRUST_PROXY: 'false' } }).trustProxy).toBe(false);
    expect(loadConfig({ env: { LATCHKEY_TRUST_PROXY: '0' } }).trustProxy).toBe(false);
  });

  it('refuses true (anyone could forge their address), host names and bad ranges', () => {
    expect(configError({ env: { LATCHKEY_TRUST_PROXY: 'true' } }).message).toMatch(/^LATCHKEY_TRUST_PROXY: must name the proxies/);
    expect(configError({ env: { LATCHKEY_TRUST_PROXY: 'proxy.internal' } }).message).toMatch(/"proxy.internal" is not an IP address/);
    expect(configError({ env: { LATCHKEY_TRUST_PROXY: '10.0.0.0/33' } }).message).toMatch(/"10.0.0.0\/33"/);
    expect(configError({ env: { LATCHKEY_TRUST_PROXY: '11' } }).message).toMatch(/from 1 to 10/);
  });
});
