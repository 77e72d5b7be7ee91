// What the explorer shows of a message: client credentials never, tokens only as a recognisable prefix.
import { describe, expect, it } from 'vitest';
import { maskBody, maskHeaders, shorten } from './wire.js';

const TOKEN = 'Zm9vYmFyYmF6cXV4cXV1eHF1dXpfX19fX19fX19fX19fX18';

describe('the explorer masks secrets on the wire', () => {
  it('HTTP Basic client credentials (RFC 6749 §2.3.1) are never shown', () => {
    const basic = `Basic ${Buffer.from('client:s3cret').toString('base64')}`;
    const [[, value]] = maskHeaders([['authorization', basic]]) as [[string, string]];
    expect(value).toBe('Basic •••••••• (base64 of client_id:client_secret)');
  });

  it('a bearer token is shortened to its first 8 characters and its length', () => {
    expect(maskHeaders([['authorization', `Bearer ${TOKEN}`]])).toEqual([['authorization', `Bearer ${TOKEN.slice(0, 8)}…(${TOKEN.length} chars)`]]);
    expect(shorten('short')).toBe('short');
  });

  it('form bodies: client_secret masked, tokens and codes shortened, the rest as sent', () => {
    const body = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: TOKEN, client_secret: 's3cret', scope: 'a b' }).toString();
    const shown = maskBody('application/x-www-form-urlencoded', body);
    expect(shown).toBe(`grant_type=refresh_token&refresh_token=${TOKEN.slice(0, 8)}…(${TOKEN.length} chars)&client_secret=••••••••&scope=a%20b`);
    expect(shown).not.toContain('s3cret');
  });

  it('JSON bodies are pretty-printed with tokens shortened, however deep', () => {
    const shown = maskBody('application/json; charset=utf-8', JSON.stringify({ access_token: TOKEN, nested: { id_token: TOKEN }, expires_in: 600 }));
    expect(JSON.parse(shown)).toEqual({ access_token: shorten(TOKEN), nested: { id_token: shorten(TOKEN) }, expires_in: 600 });
    expect(shown).not.toContain(TOKEN);
  });

  it('cookies keep their name, not their value', () => {
    expect(maskHeaders([['cookie', 'demo_flow=abcdef']])).toEqual([['cookie', 'demo_flow=••••••••']]);
  });
});
