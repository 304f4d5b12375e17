/**
 * The nesting depth of JSON text, found without parsing it, so that a body of a million `[` is refused
 * before a recursive validator could overflow the stack.
 *
 * @module
 */

/** The deepest array/object nesting in `text` (0 for a scalar). Strings are skipped; text need not be valid. */
export function jsonDepth(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (inString) {
      if (ch === 92) i++; // backslash: skip the escaped character
      else if (ch === 34) inString = false;
    } else if (ch === 34) inString = true;
    else if (ch === 91 || ch === 123) max = Math.max(max, ++depth);
    else if (ch === 93 || ch === 125) depth--;
  }
  return max;
}
