/**
 * Form fields on the wire (protocol doc §2.3, §2.4): decoding query strings and
 * `application/x-www-form-urlencoded` bodies the way PHP fills `$_GET`/`$_POST`, and encoding
 * them the way WordPress senders do.
 */

/** The two halves of a request as the plugin's receiver sees them. */
export interface WprusFields {
  /** `post` when the body carries a truthy `wprusdata`, else `get` (even for a POST request). */
  readonly mode: 'get' | 'post';
  /** Query-string `wprusdata`, or null when absent or falsy in PHP (`''`, `'0'`). */
  readonly getBundle: string | null;
  /** Body `wprusdata`, or null when absent or falsy in PHP. */
  readonly postBundle: string | null;
  /** Query `token` if truthy, else body `token` if truthy, else null (an invalid token). */
  readonly token: string | null;
}

/**
 * Decodes a query string or form body into its scalar fields as PHP would: split on `&`, name and
 * value split at the first `=`, `+` is a space, `%XX` is a byte (a malformed `%` stays literal),
 * the last occurrence of a name wins, leading spaces of a name are dropped and `.`/space become
 * `_`. A name used with brackets (`wprusdata[]=…`) makes the field an array, which the plugin's
 * `filter_input(…, FILTER_UNSAFE_RAW)` reads as `false`; such fields map to `null`.
 */
export function parsePhpForm(encoded: string): Map<string, string | null> {
  const fields = new Map<string, string | null>();
  const source = encoded.startsWith('?') ? encoded.slice(1) : encoded;
  for (const pair of source.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const rawName = eq === -1 ? pair : pair.slice(0, eq);
    const rawValue = eq === -1 ? '' : pair.slice(eq + 1);
    const name = phpVariableName(phpUrlDecode(rawName));
    if (name === null) continue;
    fields.set(name.base, name.isArray ? null : phpUrlDecode(rawValue));
  }
  return fields;
}

/**
 * Reads `wprusdata` and `token` from the raw query string and the raw body (pass `null` as the body
 * unless the request is a POST with a form content type — PHP parses no other body).
 */
export function readWprusFields(query: string, body: string | null): WprusFields {
  const get = parsePhpForm(query);
  const post = body === null ? new Map<string, string | null>() : parsePhpForm(body);
  const getBundle = truthy(get.get('wprusdata'));
  const postBundle = truthy(post.get('wprusdata'));
  return {
    mode: postBundle === null ? 'get' : 'post',
    getBundle,
    postBundle,
    token: truthy(get.get('token')) ?? truthy(post.get('token')),
  };
}

/** Whether PHP would parse a body with this `Content-Type` into `$_POST` (multipart aside). */
export function isFormContentType(contentType: string | undefined): boolean {
  const mediaType = contentType?.split(';')[0]?.trim().toLowerCase();
  return mediaType === 'application/x-www-form-urlencoded';
}

/**
 * Body of a server-to-server POST, as WordPress's `http_build_query` writes it: `wprusdata` then
 * `token` (omit the token for token requests), `+` → `%2B`, `=` → `%3D`.
 */
export function encodeWprusBody(fields: { readonly wprusdata: string; readonly token?: string }): string {
  const body = `wprusdata=${phpUrlEncode(fields.wprusdata)}`;
  return fields.token === undefined ? body : `${body}&token=${phpUrlEncode(fields.token)}`;
}

/** Query string (without `?`) of a browser login/logout URL: `rawurlencode`d, `wprusdata` first. */
export function encodeWprusQuery(fields: { readonly wprusdata: string; readonly token: string }): string {
  return `wprusdata=${phpRawUrlEncode(fields.wprusdata)}&token=${phpRawUrlEncode(fields.token)}`;
}

/** PHP `urlencode` (RFC 1738 flavour used by `http_build_query`): space → `+`. */
export function phpUrlEncode(value: string): string {
  return percentEncode(value, /[A-Za-z0-9._-]/).replaceAll('%20', '+');
}

/** PHP `rawurlencode` (RFC 3986): only `A-Z a-z 0-9 - _ . ~` stay as they are. */
export function phpRawUrlEncode(value: string): string {
  return percentEncode(value, /[A-Za-z0-9._~-]/);
}

function percentEncode(value: string, unreserved: RegExp): string {
  let out = '';
  for (const byte of Buffer.from(value, 'utf8')) {
    const ch = String.fromCharCode(byte);
    out += byte < 0x80 && unreserved.test(ch) ? ch : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

function phpUrlDecode(encoded: string): string {
  const input = Buffer.from(encoded.replaceAll('+', ' '), 'utf8');
  const out = Buffer.alloc(input.length);
  let length = 0;
  for (let i = 0; i < input.length; i++) {
    const byte = input[i] ?? 0;
    const hex = byte === 0x25 ? input.subarray(i + 1, i + 3).toString('latin1') : '';
    if (/^[0-9A-Fa-f]{2}$/.test(hex)) {
      out[length++] = Number.parseInt(hex, 16);
      i += 2;
    } else {
      out[length++] = byte;
    }
  }
  return out.subarray(0, length).toString('utf8');
}

/** PHP's `php_register_variable_ex` name mangling, reduced to what matters for scalar fields. */
function phpVariableName(decoded: string): { base: string; isArray: boolean } | null {
  const name = decoded.replace(/^ +/, '');
  const bracket = name.indexOf('[');
  if (bracket === -1) return name === '' ? null : { base: name.replace(/[ .]/g, '_'), isArray: false };
  if (bracket === 0) return null;
  const base = name.slice(0, bracket).replace(/[ .]/g, '_');
  if (name.includes(']', bracket + 1)) return { base, isArray: true };
  // An unmatched '[' is not an index: PHP turns it (and later ' ', '.', '[') into '_'.
  return { base: `${base}_${name.slice(bracket + 1).replace(/[ .[]/g, '_')}`, isArray: false };
}

const truthy = (value: string | null | undefined): string | null =>
  value === undefined || value === null || value === '' || value === '0' ? null : value;
