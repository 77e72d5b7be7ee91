// The one stylesheet of Latchkey's pages, served as a file (the CSP forbids inline styles). Colours meet WCAG 2.1
// §1.4.3 (4.5:1 for text) and §1.4.11 (3:1 for controls and focus); layout is fluid down to 320 px (§1.4.10).
import type { Theme } from './theme.js';

/** The default palette; tests compute every text/background pair from these values. */
export const PALETTE = {
  text: '#1f2937',
  muted: '#4b5563',
  page: '#f3f4f6',
  card: '#ffffff',
  border: '#6b7280',
  errorText: '#991b1b',
  errorBackground: '#fef2f2',
  badgeText: '#1e3a8a',
  badgeBackground: '#dbeafe',
} as const;

export function renderStylesheet(theme: Theme): string {
  const p = PALETTE;
  return `:root {
  --lk-primary: ${theme.primaryColor};
  --lk-on-primary: #ffffff;
  --lk-text: ${p.text};
  --lk-muted: ${p.muted};
  --lk-page: ${p.page};
  --lk-card: ${p.card};
  --lk-border: ${p.border};
  --lk-error-text: ${p.errorText};
  --lk-error-bg: ${p.errorBackground};
  color-scheme: light;
}
*, *::before, *::after { box-sizing: border-box; }
html { font-size: 100%; -webkit-text-size-adjust: 100%; }
body {
  margin: 0; min-height: 100vh; display: flex; flex-direction: column; align-items: center;
  background: var(--lk-page); color: var(--lk-text);
  font: 1rem/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
}
.lk-skip { position: absolute; left: -999px; top: 0; background: var(--lk-card); color: var(--lk-text); padding: .5rem 1rem; }
.lk-skip:focus { left: 1rem; top: 1rem; }
.lk-header { width: 100%; max-width: 28rem; padding: 1.5rem 1rem .5rem; display: flex; align-items: center; gap: .75rem; }
.lk-header img { height: 2rem; width: auto; }
.lk-product { font-weight: 600; font-size: 1.125rem; color: var(--lk-text); }
.lk-main { width: 100%; max-width: 28rem; padding: 0 1rem 2rem; }
.lk-card { background: var(--lk-card); border: 1px solid #d1d5db; border-radius: .75rem; padding: 1.5rem; box-shadow: 0 1px 3px rgba(0,0,0,.08); }
h1 { font-size: 1.5rem; line-height: 1.25; margin: 0 0 .5rem; }
p { margin: 0 0 1rem; }
.lk-muted { color: var(--lk-muted); }
.lk-client { display: flex; align-items: center; gap: .75rem; margin-bottom: 1rem; }
.lk-client img { width: 3rem; height: 3rem; object-fit: contain; border-radius: .5rem; }
.lk-field { margin-bottom: 1rem; }
label { display: block; font-weight: 600; margin-bottom: .25rem; }
input[type="text"], input[type="password"], input[type="email"] {
  width: 100%; font: inherit; padding: .625rem .75rem; color: var(--lk-text); background: var(--lk-card);
  border: 1px solid var(--lk-border); border-radius: .5rem;
}
input:focus-visible, button:focus-visible, a:focus-visible { outline: 3px solid var(--lk-primary); outline-offset: 2px; }
.lk-actions { display: flex; flex-wrap: wrap; gap: .75rem; margin-top: 1.25rem; }
.lk-button {
  flex: 1 1 10rem; min-height: 2.75rem; font: inherit; font-weight: 600; cursor: pointer;
  padding: .625rem 1rem; border-radius: .5rem; border: 2px solid var(--lk-primary);
  background: var(--lk-primary); color: var(--lk-on-primary);
}
.lk-button-secondary { background: var(--lk-card); color: var(--lk-primary); }
.lk-alert { background: var(--lk-error-bg); color: var(--lk-error-text); border: 1px solid var(--lk-error-text); border-radius: .5rem; padding: .75rem 1rem; margin-bottom: 1rem; }
.lk-scopes { list-style: none; padding: 0; margin: 0 0 1rem; }
.lk-scopes li { padding: .625rem 0; border-top: 1px solid #e5e7eb; }
.lk-scopes li:last-child { border-bottom: 1px solid #e5e7eb; }
.lk-badge { display: inline-block; margin-left: .5rem; padding: 0 .5rem; border-radius: 999px; font-size: .875rem; font-weight: 600; background: ${p.badgeBackground}; color: ${p.badgeText}; }
.lk-account { display: flex; flex-direction: column; padding: .75rem 1rem; border: 1px solid var(--lk-border); border-radius: .5rem; margin-bottom: 1rem; }
.lk-account strong { font-size: 1.0625rem; }
.lk-links { font-size: .875rem; }
a { color: var(--lk-primary); }
.lk-code { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: .875rem; color: var(--lk-muted); }
@media (prefers-reduced-motion: reduce) { * { transition: none !important; animation: none !important; } }
`;
}

/** Submits the form_post response form as soon as the page loads; the page's visible button is the fallback without script. */
export const FORM_POST_SCRIPT = `(function () {
  var form = document.getElementById('lk-form-post');
  if (form) form.submit();
})();
`;
