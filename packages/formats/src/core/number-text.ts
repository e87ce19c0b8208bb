// Numbers as text, exactly as String(value) and JSON.stringify write them, only faster for
// the numbers annotations are mostly made of: integers and decimals of up to four places.
// V8's shortest round-trip conversion costs ≈200 ns a number, and a COCO export of a million
// boxes writes five million. Pure.

/** Beyond this magnitude a double's spacing nears 1e-4, and the proof below no longer holds. */
const LIMIT = 1e11;

/**
 * String(value). When value is the double nearest a decimal D of at most 4 places (k / 10^p
 * for an integer k) and |value| < 1e11, String(value) is D: the spacing of doubles there is
 * below 1e-4, so every decimal shorter than D lies outside the interval that rounds to value,
 * and D, within half a spacing of it, is the shortest that round-trips.
 */
export function numberText(value: number): string {
  const scale = decimalScale(value);
  if (scale === 0) return String(value);
  return scaledText(Math.round(value * scale), scale, scale === 100 ? 2 : 4);
}

/** 100 or 10_000 when String(value) is the decimal Math.round(value * scale) / scale (the
 * proof above), trying two places before four; 0 when neither applies. */
export function decimalScale(value: number): number {
  if (value < LIMIT && value > -LIMIT) {
    if (Math.round(value * 100) / 100 === value) return 100;
    if (Math.round(value * 10_000) / 10_000 === value) return 10_000;
  }
  return 0;
}

/** k / scale in decimal, scale = 10^places, trailing zeros dropped: (1250, 100, 2) → "12.5". */
function scaledText(k: number, scale: number, places: number): string {
  // -0 has no sign in String(): `k < 0` is false for it.
  const sign = k < 0 ? "-" : "";
  const size = k < 0 ? -k : k;
  const whole = Math.floor(size / scale);
  let fraction = size - whole * scale;
  if (fraction === 0) return `${sign}${whole}`;
  while (fraction % 10 === 0) {
    fraction /= 10;
    places--;
  }
  return `${sign}${whole}.${String(fraction).padStart(places, "0")}`;
}
