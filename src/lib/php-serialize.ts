/**
 * PHP 8 `serialize()`/`unserialize()` for the values WordPress keeps in usermeta (WordPress's
 * `maybe_*` layer on top is in wp-serialize.ts).
 */
import { utf8ByteLength } from './php-strings.js';
import {
  PhpArray,
  PhpFloat,
  PhpOpaqueObject,
  canonicalInt,
  formatPhpFloat,
  isInt64,
  type PhpKey,
  type PhpValue,
} from './php-value.js';

/** Malformed, unsupported or oversized serialized input. */
export class PhpSerializeError extends Error {
  constructor(
    message: string,
    readonly offset?: number,
  ) {
    super(offset === undefined ? message : `${message} (at byte ${offset})`);
    this.name = 'PhpSerializeError';
  }
}

export interface UnserializeOptions {
  /** Deepest array/object nesting accepted (PHP's own limit is 4096; WordPress data needs a few). */
  readonly maxDepth?: number;
  /** Largest input accepted, in UTF-8 bytes. */
  readonly maxBytes?: number;
}

const DEFAULT_MAX_DEPTH = 128;
const DEFAULT_MAX_BYTES = 16 * 1024 * 1024;
const utf8 = new TextDecoder('utf-8', { fatal: true });
const FLOAT_TOKEN = /^(?:[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|NAN|-?INF)$/;
const CLASS_NAME = /^[A-Za-z_\\\u007f-\uffff][A-Za-z0-9_\\\u007f-\uffff]*$/;

/** A cursor over the UTF-8 bytes: PHP's lengths count bytes, not UTF-16 units. */
class Reader {
  pos = 0;
  constructor(
    private readonly bytes: Buffer,
    private readonly maxDepth: number,
  ) {}

  get atEnd(): boolean {
    return this.pos >= this.bytes.length;
  }

  fail(message: string): never {
    throw new PhpSerializeError(message, this.pos);
  }

  expect(literal: string): void {
    for (let i = 0; i < literal.length; i++) {
      if (this.bytes[this.pos] !== literal.charCodeAt(i)) this.fail(`expected '${literal}'`);
      this.pos++;
    }
  }

  /** ASCII up to (and past) `end`; short, since it only ever holds a number. */
  token(end: string): string {
    const stop = this.bytes.indexOf(end, this.pos, 'latin1');
    if (stop < 0 || stop - this.pos > 400) this.fail(`expected '${end}'`);
    const text = this.bytes.toString('latin1', this.pos, stop);
    this.pos = stop + 1;
    return text;
  }

  /** An unsigned length or count, which can never exceed what is left of the input. */
  count(end: string): number {
    const text = this.token(end);
    if (!/^[0-9]+$/.test(text) || Number(text) > this.bytes.length - this.pos)
      this.fail(`bad length '${text}'`);
    return Number(text);
  }

  text(length: number): string {
    const start = this.pos;
    this.pos += length;
    try {
      return utf8.decode(this.bytes.subarray(start, this.pos));
    } catch {
      return this.fail('string is not valid UTF-8');
    }
  }

  quoted(): string {
    const length = this.count(':');
    this.expect('"');
    const value = this.text(length);
    this.expect('"');
    return value;
  }

  key(): PhpKey {
    const tag = this.bytes[this.pos];
    const key = tag === 0x69 || tag === 0x73 ? this.value(0, false) : undefined; // i or s
    if (typeof key !== 'number' && typeof key !== 'bigint' && typeof key !== 'string') {
      return this.fail('array key must be an int or a string');
    }
    return key;
  }

  /** The `:`-introduced, `;`-terminated scalar text of `b:`, `i:` and `d:`. */
  scalar(): string {
    this.expect(':');
    return this.token(';');
  }

  value(depth: number, inObject: boolean): PhpValue {
    const start = this.pos;
    const tag = String.fromCharCode(this.bytes[this.pos] ?? 0);
    this.pos++;
    switch (tag) {
      case 'N':
        this.expect(';');
        return null;
      case 'b': {
        const text = this.scalar();
        if (text !== '0' && text !== '1') this.fail('bad boolean');
        return text === '1';
      }
      case 'i': {
        const text = this.scalar();
        const n = /^[+-]?[0-9]{1,25}$/.test(text) ? BigInt(text) : undefined;
        if (n === undefined || !isInt64(n)) this.fail(`bad int '${text}'`);
        return canonicalInt(n);
      }
      case 'd': {
        const text = this.scalar();
        if (!FLOAT_TOKEN.test(text)) this.fail(`bad float '${text}'`);
        const special = { NAN: NaN, INF: Infinity, '-INF': -Infinity }[text];
        return new PhpFloat(special ?? Number(text));
      }
      case 's': {
        this.expect(':');
        const value = this.quoted();
        this.expect(';');
        return value;
      }
      case 'a': {
        if (depth >= this.maxDepth) this.fail('nested too deeply');
        this.expect(':');
        const size = this.count(':');
        this.expect('{');
        const array = new PhpArray();
        // A repeated key overwrites in place, as PHP does.
        for (let i = 0; i < size; i++) array.set(this.key(), this.value(depth + 1, inObject));
        this.expect('}');
        return array;
      }
      case 'O':
      case 'C':
      case 'E':
        return this.opaque(tag, start, depth);
      case 'r':
      case 'R':
        // References only make sense inside the verbatim text of an object.
        if (!inObject) this.fail('references are not supported');
        this.expect(':');
        this.count(';');
        return null;
      default:
        return this.fail(`unsupported type '${tag}'`);
    }
  }

  /** Walks an object's members only to find where it ends; never interprets the class. */
  private opaque(tag: 'O' | 'C' | 'E', start: number, depth: number): PhpOpaqueObject {
    if (depth >= this.maxDepth) this.fail('nested too deeply');
    this.expect(':');
    const name = this.quoted();
    if (tag === 'E') {
      this.expect(';');
      if (!/^[^:]+:[^:]+$/.test(name)) this.fail('bad enum case');
    } else {
      this.expect(':');
      const size = this.count(':');
      this.expect('{');
      if (tag === 'C') this.pos += size;
      else {
        for (let i = 0; i < size; i++) {
          this.key();
          this.value(depth + 1, true);
        }
      }
      this.expect('}');
    }
    const className = tag === 'E' ? (name.split(':')[0] ?? '') : name;
    if (!CLASS_NAME.test(className)) this.fail('bad class name');
    return new PhpOpaqueObject(className, this.bytes.toString('utf8', start, this.pos));
  }
}

/**
 * PHP `unserialize()` without ever creating an object. Stricter than PHP in two ways: trailing bytes
 * after the value are an error (PHP ignores them), and `r:`/`R:` references are accepted only inside
 * objects, which are kept verbatim.
 * @throws PhpSerializeError on malformed, unsupported, too deep or too large input
 */
export function unserialize(input: string, options: UnserializeOptions = {}): PhpValue {
  const bytes = Buffer.from(input, 'utf8');
  if (bytes.length > (options.maxBytes ?? DEFAULT_MAX_BYTES)) throw new PhpSerializeError('input too large');
  const reader = new Reader(bytes, options.maxDepth ?? DEFAULT_MAX_DEPTH);
  const value = reader.value(0, false);
  if (!reader.atEnd) reader.fail('unexpected data after the value');
  return value;
}

function write(value: PhpValue, out: string[], depth: number): void {
  if (depth > DEFAULT_MAX_DEPTH)
    throw new PhpSerializeError('nested too deeply (is an array inside itself?)');
  if (value === null) out.push('N;');
  else if (typeof value === 'boolean') out.push(value ? 'b:1;' : 'b:0;');
  else if (typeof value === 'number') {
    // An integral number is a PHP int when it fits; anything else can only be a float.
    out.push(
      Number.isInteger(value) && isInt64(BigInt(value))
        ? `i:${BigInt(value)};`
        : `d:${formatPhpFloat(value)};`,
    );
  } else if (typeof value === 'bigint') {
    if (!isInt64(value)) throw new RangeError(`${value} is outside PHP's int64 range`);
    out.push(`i:${value};`);
  } else if (typeof value === 'string') out.push(`s:${utf8ByteLength(value)}:"${value}";`);
  else if (value instanceof PhpFloat) out.push(`d:${formatPhpFloat(value.value)};`);
  else if (value instanceof PhpOpaqueObject) out.push(value.serialized);
  else {
    out.push(`a:${value.size}:{`);
    for (const [key, item] of value) {
      write(key, out, depth + 1);
      write(item, out, depth + 1);
    }
    out.push('}');
  }
}

/** PHP 8 `serialize()`, byte for byte (floats with serialize_precision = -1). */
export function serialize(value: PhpValue): string {
  const out: string[] = [];
  write(value, out, 0);
  return out.join('');
}
