// The frame of every page: language, viewport, the served stylesheet, the product header, one main landmark (WCAG 2.1).
import { escapeHtml } from '@kitajs/html';
import { ASSET_PATHS, type Theme } from './theme.js';

export interface LayoutProps {
  readonly theme: Theme;
  readonly title: string;
  readonly children?: JSX.Element | JSX.Element[];
  /** Scripts served by Latchkey (the CSP allows 'self' only). */
  readonly scripts?: readonly string[];
}

export function Layout({ theme, title, children, scripts = [] }: LayoutProps): JSX.Element {
  return (
    <>
      {'<!doctype html>'}
      <html lang="en">
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <meta name="referrer" content="no-referrer" />
          <meta name="robots" content="noindex, nofollow" />
          <title>{escapeHtml(`${title} · ${theme.productName}`)}</title>
          <link rel="stylesheet" href={ASSET_PATHS.stylesheet} />
          {scripts.map((src) => (
            <script src={src} defer></script>
          ))}
        </head>
        <body>
          <a class="lk-skip" href="#main">
            Skip to content
          </a>
          <header class="lk-header">
            {theme.logoUrl !== undefined ? <img src={theme.logoUrl} alt="" /> : ''}
            <span class="lk-product">{escapeHtml(theme.productName)}</span>
          </header>
          <main id="main" class="lk-main">
            <div class="lk-card">{children}</div>
          </main>
        </body>
      </html>
    </>
  );
}
