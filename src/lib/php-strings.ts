/**
 * PHP string built-ins that WordPress's rules lean on, reproduced where PHP differs from JavaScript:
 * `trim()` strips a different set of characters than `String.prototype.trim`, and `strip_tags()` is a
 * state machine, not a regular expression.
 */

/** The characters PHP's `trim()` strips by default (JavaScript's `trim` strips far more, e.g. U+00A0). */
export const PHP_TRIM_CHARS = ' \t\n\r\0\x0B';

/** PHP `trim($s, $chars)` for a literal character list (no `a..z` ranges). */
export function phpTrim(s: string, chars: string = PHP_TRIM_CHARS): string {
  let start = 0;
  let end = s.length;
  while (start < end && chars.includes(s.charAt(start))) start++;
  while (end > start && chars.includes(s.charAt(end - 1))) end--;
  return s.slice(start, end);
}

/** PHP `strlen()` of the UTF-8 encoding, which is how PHP sees a string read from a utf8mb4 column. */
export function utf8ByteLength(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}

/** C `isspace()` in the "C" locale. */
function isCSpace(c: string | undefined): boolean {
  return c === ' ' || c === '\t' || c === '\n' || c === '\v' || c === '\f' || c === '\r';
}

const enum Strip {
  Text,
  Tag,
  Php,
  Declaration,
  Comment,
}

/**
 * PHP 8 `strip_tags($s)` with no allowed tags.
 *
 * PHP does not parse HTML: it walks the bytes with a small state machine, so its quirks matter for
 * reproducing WordPress (`<` followed by whitespace is kept, quotes inside a tag hide `>`, `<?…?>`,
 * `<!…>` and `<!--…-->` are dropped, NUL bytes vanish, an unclosed tag swallows the rest). The
 * markers are ASCII, so walking UTF-16 units gives the same result as walking UTF-8 bytes.
 */
export function stripTags(s: string): string {
  let out = '';
  let state = Strip.Text;
  let depth = 0;
  let inQuote = '';
  let last = ''; // PHP's `lc`: the last significant character seen
  let parens = 0;
  let isXml = false;
  const n = s.length;
  for (let i = 0; i < n; i++) {
    const c = s.charAt(i);
    const prev = i > 0 ? s.charAt(i - 1) : '';
    if (c === '\0') continue;
    switch (state) {
      case Strip.Text:
        if (c === '<') {
          if (inQuote) break;
          if (isCSpace(s[i + 1])) {
            out += c;
            break;
          }
          last = '<';
          state = Strip.Tag;
        } else if (c === '>') {
          if (depth) depth--;
          else if (!inQuote) out += c;
        } else {
          out += c;
        }
        break;
      case Strip.Tag:
        if (c === '<') {
          if (inQuote || isCSpace(s[i + 1])) break;
          depth++;
        } else if (c === '>') {
          if (depth) depth--;
          else if (!inQuote && !(isXml && prev === '-')) {
            last = '>';
            inQuote = '';
            isXml = false;
            state = Strip.Text;
          }
        } else if (c === '"' || c === "'") {
          if (i !== 0 && (!inQuote || c === inQuote)) inQuote = inQuote ? '' : c;
        } else if (c === '!' && prev === '<') {
          state = Strip.Declaration;
          last = c;
        } else if (c === '?' && prev === '<') {
          parens = 0;
          state = Strip.Php;
        }
        break;
      case Strip.Php:
        if (c === '(' || c === ')') {
          if (last !== '"' && last !== "'") {
            last = c;
            parens += c === '(' ? 1 : -1;
          }
        } else if (c === '>') {
          if (depth) depth--;
          else if (!inQuote && !parens && last !== '"' && prev === '?') {
            inQuote = '';
            state = Strip.Text;
          }
        } else if (c === '"' || c === "'") {
          if (prev !== '\\') {
            if (last === c) last = '';
            else if (last !== '\\') last = c;
            if (!inQuote || c === inQuote) inQuote = inQuote ? '' : c;
          }
        } else if ((c === 'l' || c === 'L') && i > 4 && /^<\?xm$/i.test(s.slice(i - 4, i))) {
          // `<?xml` is markup, not PHP: back to tag state. PHP's `p > buf + 4` skips it at offset 0.
          state = Strip.Tag;
          isXml = true;
        }
        break;
      case Strip.Declaration:
        if (c === '>') {
          if (depth) depth--;
          else if (!inQuote) {
            inQuote = '';
            state = Strip.Text;
          }
        } else if (c === '"' || c === "'") {
          if (prev !== '\\' && (!inQuote || c === inQuote)) inQuote = inQuote ? '' : c;
        } else if (c === '-' && prev === '-' && i >= 2 && s.charAt(i - 2) === '!') {
          state = Strip.Comment;
        } else if ((c === 'e' || c === 'E') && i >= 8 && /^<!doctyp$/i.test(s.slice(i - 8, i))) {
          state = Strip.Tag;
        }
        break;
      case Strip.Comment:
        if (c === '>' && !inQuote && prev === '-' && i >= 2 && s.charAt(i - 2) === '-') {
          inQuote = '';
          state = Strip.Text;
        }
        break;
    }
  }
  return out;
}
