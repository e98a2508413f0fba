import { describe, expect, it } from 'vitest';
import { loadFixture } from '../../test/support/fixtures.js';
import {
  encodeWprusBody,
  encodeWprusQuery,
  isFormContentType,
  parsePhpForm,
  phpRawUrlEncode,
  phpUrlEncode,
  readWprusFields,
} from './form-body.js';

interface Exchange {
  from: string;
  endpoint: string;
  token: string | null;
  request: {
    method: 'GET' | 'POST';
    query: string;
    raw_body: string | null;
    form_fields: Record<string, string> | [];
    query_fields: Record<string, string> | [];
  };
}
interface WireCaptures {
  steps: { id: string; exchanges: Exchange[] }[];
  experiments: { id: string; exchanges: Exchange[] }[];
}

const captures = loadFixture<WireCaptures>('wire-captures.json');
const exchanges = [...captures.steps, ...captures.experiments].flatMap((step) =>
  step.exchanges.map((exchange, i) => [`${step.id} #${i + 1} ${exchange.endpoint}`, exchange] as const),
);
const fieldsOf = (fields: Record<string, string> | []) => (Array.isArray(fields) ? {} : fields);
const isPlugin = (exchange: Exchange) => /^(A|B|browser)\b/.test(exchange.from);

describe('captured requests', () => {
  it('are all here', () => {
    expect(exchanges).toHaveLength(64);
  });

  it.each(exchanges)('%s decodes as PHP decoded it', (_, exchange) => {
    const { request } = exchange;
    if (request.raw_body !== null) {
      expect(Object.fromEntries(parsePhpForm(request.raw_body))).toEqual(fieldsOf(request.form_fields));
    }
    expect(Object.fromEntries(parsePhpForm(request.query))).toEqual(fieldsOf(request.query_fields));

    const fields = readWprusFields(request.query, request.method === 'POST' ? request.raw_body : null);
    expect(fields.mode).toBe(
      request.method === 'POST' && request.raw_body?.includes('wprusdata=') ? 'post' : 'get',
    );
    expect(fields.token).toBe(exchange.token === '' ? null : exchange.token);
  });

  it.each(exchanges.filter(([, e]) => isPlugin(e)))('%s re-encodes byte for byte', (_, exchange) => {
    const { request } = exchange;
    if (request.method === 'POST') {
      expect(encodeWprusBody(fieldsOf(request.form_fields) as { wprusdata: string; token?: string })).toBe(
        request.raw_body,
      );
    } else {
      expect(encodeWprusQuery(fieldsOf(request.query_fields) as { wprusdata: string; token: string })).toBe(
        request.query,
      );
    }
  });
});

describe('parsePhpForm', () => {
  it('reads + as a space and %XX as a byte, in either case', () => {
    expect(parsePhpForm('a=x+y%2By%2bz&b=%C3%A9%e2%82%ac')).toEqual(
      new Map([
        ['a', 'x y+y+z'],
        ['b', 'é€'],
      ]),
    );
  });

  it('keeps malformed escapes literally', () => {
    expect(parsePhpForm('a=100%&b=%zz%4')).toEqual(
      new Map([
        ['a', '100%'],
        ['b', '%zz%4'],
      ]),
    );
  });

  it('lets the last occurrence win and skips empty pairs and names', () => {
    expect(parsePhpForm('?token=1&&token=2&=x&flag')).toEqual(
      new Map([
        ['token', '2'],
        ['flag', ''],
      ]),
    );
  });

  it("mangles names like PHP: leading spaces dropped, '.' and ' ' become '_'", () => {
    expect([...parsePhpForm('+wprusdata=a&wprus.data=b&wprus+data=c&x[=d').keys()]).toEqual([
      'wprusdata',
      'wprus_data',
      'x_',
    ]);
  });

  it('maps array-valued fields to null, as filter_input reads them', () => {
    expect(parsePhpForm('wprusdata[]=a').get('wprusdata')).toBeNull();
    expect(parsePhpForm('wprusdata[x]=a&wprusdata=b').get('wprusdata')).toBe('b');
  });
});

describe('readWprusFields', () => {
  it('is POST mode only when the body carries a PHP-truthy wprusdata', () => {
    expect(readWprusFields('', 'wprusdata=abc&token=t').mode).toBe('post');
    expect(readWprusFields('wprusdata=abc', 'token=t')).toEqual({
      mode: 'get',
      getBundle: 'abc',
      postBundle: null,
      token: 't',
    });
    expect(readWprusFields('', 'wprusdata=0').mode).toBe('get');
  });

  it('takes the query token first and falls back to the body when it is falsy', () => {
    expect(readWprusFields('token=q', 'token=b').token).toBe('q');
    expect(readWprusFields('token=0', 'token=b').token).toBe('b');
    expect(readWprusFields('token=', 'token=0').token).toBeNull();
    expect(readWprusFields('', null).token).toBeNull();
  });
});

describe('encoding', () => {
  it('percent-encodes + and = in bodies, token last and optional', () => {
    expect(encodeWprusBody({ wprusdata: 'a+b_c=', token: 'f00' })).toBe('wprusdata=a%2Bb_c%3D&token=f00');
    expect(encodeWprusBody({ wprusdata: 'x==' })).toBe('wprusdata=x%3D%3D');
  });

  it('encodes like PHP urlencode and rawurlencode, not encodeURIComponent', () => {
    expect(phpUrlEncode("a b!'()*~é")).toBe('a+b%21%27%28%29%2A%7E%C3%A9');
    expect(phpRawUrlEncode("a b!'()*~é")).toBe('a%20b%21%27%28%29%2A~%C3%A9');
  });

  it('round-trips through the decoder', () => {
    const body = encodeWprusBody({ wprusdata: 'A+/_=é ', token: 'tok' });
    expect(readWprusFields('', body)).toMatchObject({ postBundle: 'A+/_=é ', token: 'tok' });
  });

  it('recognises form content types', () => {
    expect(isFormContentType('application/x-www-form-urlencoded')).toBe(true);
    expect(isFormContentType('Application/X-WWW-Form-Urlencoded; charset=UTF-8')).toBe(true);
    expect(isFormContentType('application/json')).toBe(false);
    expect(isFormContentType(undefined)).toBe(false);
  });
});
