/**
 * Host names compared as DNS and Envoy compare them: ASCII letters without regard to case
 * (RFC 4343), every other character as it is. Envoy lower-cases a route configuration's domains
 * with `absl::AsciiStrToLower` and refuses the whole configuration when one repeats, so two names
 * with the same key must never both become domains of one proxy.
 */
export function hostNameKey(name: string): string {
  return name.replace(/[A-Z]/g, (c) => c.toLowerCase());
}

/** The same fold in SQL: `translate(<column>, ASCII_UPPER, ASCII_LOWER)`. */
export const ASCII_UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
export const ASCII_LOWER = 'abcdefghijklmnopqrstuvwxyz';
