// Contrast ratio of two sRGB colours: WCAG 2.1 §1.4.3 and its definitions of relative luminance and contrast ratio.

export type Rgb = readonly [number, number, number];

/** `#rgb` or `#rrggbb` to [r, g, b] in 0..255; undefined when it is not such a colour. */
export function parseHexColor(text: string): Rgb | undefined {
  const short = /^#([0-9a-f])([0-9a-f])([0-9a-f])$/i.exec(text);
  if (short !== null) return [parseInt(`${short[1]}${short[1]}`, 16), parseInt(`${short[2]}${short[2]}`, 16), parseInt(`${short[3]}${short[3]}`, 16)];
  const long = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(text);
  if (long === null) return undefined;
  return [parseInt(long[1] as string, 16), parseInt(long[2] as string, 16), parseInt(long[3] as string, 16)];
}

/** @see https://www.w3.org/TR/WCAG21/#dfn-relative-luminance */
export function relativeLuminance([r, g, b]: Rgb): number {
  const channel = (value: number): number => {
    const c = value / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
}

/** @see https://www.w3.org/TR/WCAG21/#dfn-contrast-ratio */
export function contrastRatio(a: Rgb, b: Rgb): number {
  const [light, dark] = [relativeLuminance(a), relativeLuminance(b)].sort((x, y) => y - x) as [number, number];
  return (light + 0.05) / (dark + 0.05);
}
