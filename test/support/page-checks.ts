// Automated checks of the basics on every page, run inside Chromium: WCAG 2.1 §3.1.1 (lang), §1.3.1/§4.1.2 (every
// control has a label, every image an alt), §1.4.3 (text contrast from the computed CSS colours), and the security headers.
import type { Page, Response } from 'playwright-core';
import { expect } from 'vitest';

/** Problems found on the page; empty when it passes. */
// Runs in the page (plain JavaScript: the test project has no DOM types). Returns a list of problems.
const CHECK_PAGE = `(() => {
  const problems = [];
  if ((document.documentElement.getAttribute('lang') || '').trim() === '') problems.push('<html> has no lang');
  if (document.title.trim() === '') problems.push('the page has no title');
  for (const control of document.querySelectorAll('input:not([type="hidden"]), select, textarea')) {
    const id = control.getAttribute('id');
    const labelled =
      (id !== null && document.querySelector('label[for="' + CSS.escape(id) + '"]') !== null) ||
      control.closest('label') !== null ||
      (control.getAttribute('aria-label') || '').trim() !== '' ||
      control.getAttribute('aria-labelledby') !== null;
    if (!labelled) problems.push('control ' + (control.getAttribute('name') || '?') + ' has no label');
  }
  for (const button of document.querySelectorAll('button')) {
    if ((button.textContent || '').trim() === '' && (button.getAttribute('aria-label') || '') === '') problems.push('a button has no text');
  }
  for (const image of document.querySelectorAll('img')) if (!image.hasAttribute('alt')) problems.push('an image has no alt');

  const parse = (value) => {
    const match = /rgba?\\(([^)]+)\\)/.exec(value);
    if (match === null) return [0, 0, 0, 0];
    const parts = match[1].split(/[\\s,/]+/).filter((p) => p !== '').map(Number);
    return [parts[0] ?? 0, parts[1] ?? 0, parts[2] ?? 0, parts[3] ?? 1];
  };
  const luminance = ([r, g, b]) => {
    const f = (v) => { const c = v / 255; return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const background = (element) => {
    for (let e = element; e !== null; e = e.parentElement) {
      const colour = parse(getComputedStyle(e).backgroundColor);
      if (colour[3] > 0) return colour;
    }
    return [255, 255, 255, 1];
  };
  let checked = 0;
  for (const element of document.body.querySelectorAll('*')) {
    const ownText = Array.from(element.childNodes).some((n) => n.nodeType === Node.TEXT_NODE && (n.textContent || '').trim() !== '');
    const style = getComputedStyle(element);
    if (!ownText || style.visibility === 'hidden' || style.display === 'none') continue;
    const rect = element.getBoundingClientRect();
    if (rect.right < 0 || rect.bottom < 0) continue; // off-screen until focused (the skip link)
    const [a, b] = [luminance(parse(style.color)), luminance(background(element))].sort((x, y) => y - x);
    const ratio = (a + 0.05) / (b + 0.05);
    const size = parseFloat(style.fontSize);
    const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
    checked++;
    if (ratio < (large ? 3 : 4.5)) problems.push('contrast ' + ratio.toFixed(2) + ':1 for "' + (element.textContent || '').trim().slice(0, 40) + '"');
  }
  if (checked === 0) problems.push('no text was checked for contrast (was the stylesheet loaded?)');
  if (getComputedStyle(document.body).fontFamily.indexOf('system-ui') === -1) problems.push('the served stylesheet is not applied');
  return problems;
})()`;

/** Problems found on the page; empty when it passes. */
export async function accessibilityProblems(page: Page): Promise<string[]> {
  return page.evaluate<string[]>(CHECK_PAGE);
}

/** The headers every page of Latchkey carries. */
export function expectSecurityHeaders(response: Response | null): void {
  expect(response).not.toBeNull();
  const headers = (response as Response).headers();
  expect(headers['content-security-policy']).toMatch(/frame-ancestors 'none'/);
  expect(headers['content-security-policy']).toMatch(/default-src 'self'/);
  expect(headers['content-security-policy']).toMatch(/script-src 'self'(;|$)/);
  expect(headers['x-frame-options']).toBe('DENY');
  expect(headers['referrer-policy']).toBe('no-referrer');
  expect(headers['cache-control']).toBe('no-store');
}

export async function expectAccessiblePage(page: Page, response: Response | null): Promise<void> {
  expectSecurityHeaders(response);
  expect(await accessibilityProblems(page)).toEqual([]);
}
