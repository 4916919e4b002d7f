/**
 * WCAG 2 contrast of two sRGB colours written #rgb or #rrggbb: 1 (the same) to 21 (black on
 * white). Text needs 4.5:1 (AA), focus rings and borders 3:1.
 */
export function contrastRatio(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

/** Relative luminance (WCAG 2); NaN for anything but #rgb / #rrggbb. */
function luminance(colour: string): number {
  const hex = colour.replace(/^#/, "");
  const full = hex.length === 3 ? [...hex].map((ch) => ch + ch).join("") : hex;
  if (!/^[0-9a-f]{6}$/i.test(full)) return Number.NaN;
  const [r, g, b] = [0, 2, 4].map((i) => {
    const c = Number.parseInt(full.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}
