// The look of Latchkey's pages, from configuration (product name, logo, primary colour).
import type { Config } from '../config/config.js';

export interface Theme {
  readonly productName: string;
  readonly logoUrl?: string;
  /** `#rrggbb`, checked at start to reach 4.5:1 against white text (WCAG 2.1 §1.4.3). */
  readonly primaryColor: string;
}

export const themeFrom = (config: Pick<Config, 'ui'>): Theme => ({
  productName: config.ui.productName,
  ...(config.ui.logoUrl !== undefined && { logoUrl: config.ui.logoUrl }),
  primaryColor: config.ui.primaryColor,
});

/** Paths of the static assets Latchkey serves (the CSP allows scripts and styles from 'self' only). */
export const ASSET_PATHS = {
  stylesheet: '/assets/latchkey.css',
  formPostScript: '/assets/form-post.js',
} as const;
