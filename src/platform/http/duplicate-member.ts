/**
 * The first member name that appears twice in one object of `text`, if any. JSON leaves
 * duplicate names to each parser (JSON.parse keeps the last, others the first), so a body with
 * them means different things to different readers; it is refused rather than guessed at.
 *
 * `text` must be valid JSON (it is scanned after JSON.parse accepted it): the scan only tracks
 * strings, nesting and commas. Names are compared decoded, so `"a"` and `"\u0061"` are one name.
 */
export function duplicateMemberName(text: string): string | undefined {
  /** One entry per open object (its names so far) or array (`null`). */
  const open: (Set<string> | null)[] = [];
  let atName = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      let end = i + 1;
      while (text.charCodeAt(end) !== QUOTE) end += text.charCodeAt(end) === BACKSLASH ? 2 : 1;
      const names = open[open.length - 1];
      if (atName && names) {
        const name = JSON.parse(text.slice(i, end + 1)) as string;
        if (names.has(name)) return name;
        names.add(name);
        atName = false;
      }
      i = end;
    } else if (c === OPEN_BRACE) {
      open.push(new Set());
      atName = true;
    } else if (c === OPEN_BRACKET) {
      open.push(null);
      atName = false;
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      open.pop();
    } else if (c === COMMA) {
      atName = open[open.length - 1] != null;
    }
  }
  return undefined;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const COMMA = 0x2c;
