// WCAG 2.1 §1.4.3: every text colour of the default theme against the background it is drawn on reaches 4.5:1.
import { describe, expect, it } from 'vitest';
import { defaults } from '../config/defaults.js';
import { loadConfig } from '../config/load-config.js';
import { contrastRatio, parseHexColor, type Rgb } from '../lib/color-contrast.js';
import { PALETTE, renderStylesheet } from './stylesheet.js';

const rgb = (hex: string): Rgb => parseHexColor(hex) as Rgb;
const WHITE = '#ffffff';

describe('the default theme', () => {
  const primary = defaults.ui.primaryColor;
  const pairs: [string, string, string][] = [
    ['body text on the page', PALETTE.text, PALETTE.page],
    ['body text on the card', PALETTE.text, PALETTE.card],
    ['muted text on the card', PALETTE.muted, PALETTE.card],
    ['muted text on the page', PALETTE.muted, PALETTE.page],
    ['button text on the primary colour', WHITE, primary],
    ['links and secondary buttons on the card', primary, PALETTE.card],
    ['error text on the error background', PALETTE.errorText, PALETTE.errorBackground],
    ['the "New" badge', PALETTE.badgeText, PALETTE.badgeBackground],
  ];
  for (const [name, foreground, background] of pairs) {
    it(`WCAG 2.1 §1.4.3: ${name} reaches 4.5:1`, () => {
      expect(contrastRatio(rgb(foreground), rgb(background))).toBeGreaterThanOrEqual(4.5);
    });
  }

  it('WCAG 2.1 §1.4.11: input borders reach 3:1 against the card', () => {
    expect(contrastRatio(rgb(PALETTE.border), rgb(PALETTE.card))).toBeGreaterThanOrEqual(3);
  });

  it('puts the configured primary colour in the stylesheet, and refuses one too light for white text', () => {
    expect(renderStylesheet({ productName: 'X', primaryColor: '#7c2d12' })).toContain('--lk-primary: #7c2d12;');
    expect(() => loadConfig({ env: { LATCHKEY_PRIMARY_COLOR: '#ffd700' } })).toThrow(/contrast/);
    expect(loadConfig({ env: { LATCHKEY_PRIMARY_COLOR: '#7C2D12' } }).ui.primaryColor).toBe('#7c2d12');
  });
});
