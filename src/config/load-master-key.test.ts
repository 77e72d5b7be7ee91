import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MasterKey } from '../lib/master-key.js';
import { ConfigError } from './load-config.js';
import { loadMasterKey, MASTER_KEY_FILE } from './load-master-key.js';

const root = mkdtempSync(join(tmpdir(), 'latchkey-master-key-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let folders = 0;
const freshDataDir = (): string => join(root, `data-${++folders}`); // not created: loadMasterKey makes it

describe('Issue #2 §3: the master key comes from LATCHKEY_MASTER_KEY, else a 0600 key file in the data folder', () => {
  it('creates the data folder and a key file with mode 0600 on first call', () => {
    const dataDir = freshDataDir();
    const { created } = loadMasterKey({ dataDir, masterKey: undefined });
    expect(created).toBe(true);
    const path = join(dataDir, MASTER_KEY_FILE);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(() => MasterKey.parse(readFileSync(path, 'utf8'))).not.toThrow();
  });

  it('reuses the same key on later calls', () => {
    const dataDir = freshDataDir();
    const first = loadMasterKey({ dataDir, masterKey: undefined });
    const contents = readFileSync(join(dataDir, MASTER_KEY_FILE), 'utf8');
    const second = loadMasterKey({ dataDir, masterKey: undefined });
    expect(second.created).toBe(false);
    expect(readFileSync(join(dataDir, MASTER_KEY_FILE), 'utf8')).toBe(contents);
    const sealed = first.key.encrypt('secret', 'context');
    expect(second.key.decrypt(sealed, 'context')).toBe('secret');
  });

  it('tightens a key file that was left readable by others back to 0600', () => {
    const dataDir = freshDataDir();
    loadMasterKey({ dataDir, masterKey: undefined });
    const path = join(dataDir, MASTER_KEY_FILE);
    chmodSync(path, 0o644);
    loadMasterKey({ dataDir, masterKey: undefined });
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  it('rejects a malformed key file with one line naming the file', () => {
    const dataDir = freshDataDir();
    loadMasterKey({ dataDir, masterKey: undefined });
    const path = join(dataDir, MASTER_KEY_FILE);
    writeFileSync(path, 'too-short\n', { mode: 0o600 });
    expect(() => loadMasterKey({ dataDir, masterKey: undefined })).toThrow(ConfigError);
    expect(() => loadMasterKey({ dataDir, masterKey: undefined })).toThrow(new RegExp(`^master key file ${path}: .*32 bytes[^\\n]*$`));
    expect(readFileSync(path, 'utf8')).toBe('too-short\n'); // never silently replaced: it unlocks the stored keys
  });

  it('uses LATCHKEY_MASTER_KEY when set, and writes no file', () => {
    const dataDir = freshDataDir();
    const { encoded } = MasterKey.generate();
    const { key, created } = loadMasterKey({ dataDir, masterKey: encoded });
    expect(created).toBe(false);
    expect(existsSync(join(dataDir, MASTER_KEY_FILE))).toBe(false);
    expect(MasterKey.parse(encoded).decrypt(key.encrypt('x', 'c'), 'c')).toBe('x');
  });

  it('accepts 64 hex characters as LATCHKEY_MASTER_KEY', () => {
    expect(loadMasterKey({ dataDir: freshDataDir(), masterKey: 'ab'.repeat(32) }).created).toBe(false);
  });

  it('rejects a malformed LATCHKEY_MASTER_KEY with one line naming the setting', () => {
    for (const masterKey of ['short', 'ab'.repeat(31), Buffer.alloc(16).toString('base64url')]) {
      expect(() => loadMasterKey({ dataDir: freshDataDir(), masterKey })).toThrow(/^LATCHKEY_MASTER_KEY: .*32 bytes[^\n]*$/);
    }
  });
});
