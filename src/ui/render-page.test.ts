// The pages render escaped, script-free HTML and a CSP that fits each page.
import { describe, expect, it } from 'vitest';
import type { InteractionContext, PageModel } from '../interaction/pages.js';
import { renderPage } from './render-page.js';

const theme = { productName: 'Acme <ID>', primaryColor: '#1d4ed8', logoUrl: 'https://cdn.acme.example/logo.svg' };
const context: InteractionContext = {
  interactionId: 'abc',
  csrfToken: 'tok"en',
  client: { name: '<script>alert(1)</script>', logoUri: 'https://app.example/logo.png" onerror="x', policyUri: 'https://app.example/privacy' },
  redirectUri: 'https://app.example/callback',
  uiLocales: [],
};

const pages: PageModel[] = [
  { page: 'login', context, identifier: '"><img src=x>', error: 'invalid_credentials' },
  { page: 'select_account', context, account: { username: 'alice', name: '<b>Alice</b>' } },
  { page: 'consent', context, account: { username: 'alice' }, scopes: ['openid', 'profile', '<x>'], newScopes: ['<x>'] },
  { page: 'error', code: 'invalid_request', description: '<i>bad</i>' },
  { page: 'form_post', response: { redirectUri: 'https://app.example/cb', responseMode: 'form_post', params: { code: 'c"<', state: 's' } } },
];

describe('pages', () => {
  for (const model of pages) {
    it(`${model.page}: escapes every dynamic value and has no inline script, style or event handler`, () => {
      const { html } = renderPage(model, theme);
      expect(html.startsWith('<!doctype html><html lang="en">')).toBe(true);
      const markup = html.replace(/="[^"]*"/g, '=""'); // quoted attribute values cannot open elements
      expect(markup).not.toContain('<script>alert');
      expect(markup).not.toContain('<b>Alice');
      expect(markup).not.toContain('<i>bad');
      expect(markup).not.toContain('<img src=x>');
      expect(markup).not.toContain('onerror');
      expect(markup).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/); // every script has a src
      expect(markup).not.toMatch(/\sstyle=|<style|\son[a-z]+=/i);
      expect(html).toContain('Acme &lt;ID>');
    });
  }

  it('CSP: frame-ancestors none, scripts and styles from self only, forms to self and the client redirect URI', () => {
    const { contentSecurityPolicy } = renderPage(pages[2] as PageModel, theme);
    expect(contentSecurityPolicy).toContain("frame-ancestors 'none'");
    expect(contentSecurityPolicy).toContain("script-src 'self'");
    expect(contentSecurityPolicy).toContain("style-src 'self'");
    expect(contentSecurityPolicy).toContain("form-action 'self' https://app.example");
    expect(contentSecurityPolicy).toContain("img-src 'self' https://cdn.acme.example https://app.example");
  });

  it('Form Post Response Mode §2: a form to the redirect URI with the parameters, a served script and a visible button', () => {
    const { html } = renderPage(pages[4] as PageModel, theme);
    expect(html).toContain('<form method="post" action="https://app.example/cb" id="lk-form-post">');
    expect(html).toContain('<input type="hidden" name="code" value="c&#34;<"/>');
    expect(html).toContain('<script src="/assets/form-post.js" defer></script>');
    expect(html).toContain('<button type="submit" class="lk-button">Continue</button>');
  });
});
