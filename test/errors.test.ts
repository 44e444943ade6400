import { describe, expect, it } from 'vitest';
import { CertificateError, CodecError, SealsyncError, throwIfAborted, AbortError } from '../src/errors.js';
import { fromBase64Url, fromHex, toBase64Url, toHex, utf8Decode, constantTimeEqual, compareBytes } from '../src/bytes.js';

describe('errors', () => {
  it('subclasses keep instanceof, name, code and cause', () => {
    const cause = new Error('inner');
    const e = new CodecError('codec/x', 'msg', { cause });
    expect(e).toBeInstanceOf(SealsyncError);
    expect(e).toBeInstanceOf(CodecError);
    expect(e.name).toBe('CodecError');
    expect(e.code).toBe('codec/x');
    expect(e.cause).toBe(cause);
  });
  it('CertificateError carries its reason in the code', () => {
    const e = new CertificateError('author-not-admin', 'm');
    expect(e.code).toBe('certificate/author-not-admin');
    expect(e.reason).toBe('author-not-admin');
  });
  it('throwIfAborted throws AbortError only when aborted', () => {
    const c = new AbortController();
    expect(() => throwIfAborted(c.signal)).not.toThrow();
    c.abort();
    expect(() => throwIfAborted(c.signal)).toThrow(AbortError);
  });
});

describe('bytes', () => {
  it('hex round trip and rejections', () => {
    expect(toHex(fromHex('00ff10'))).toBe('00ff10');
    expect(() => fromHex('0')).toThrow(CodecError);
    expect(() => fromHex('zz')).toThrow(CodecError);
  });
  it('base64url round trip for every length, and rejects non-canonical input', () => {
    for (let n = 0; n < 40; n++) {
      const b = Uint8Array.from({ length: n }, (_, i) => (i * 37 + n) & 255);
      expect(fromBase64Url(toBase64Url(b))).toEqual(b);
    }
    expect(toBase64Url(new Uint8Array([0xfb, 0xff]))).toBe('-_8');
    expect(() => fromBase64Url('AB=')).toThrow(CodecError);
    expect(() => fromBase64Url('A')).toThrow(CodecError);
    expect(() => fromBase64Url('AB')).toThrow(CodecError); // trailing bits set
    expect(fromBase64Url('AA')).toEqual(new Uint8Array([0]));
  });
  it('strict UTF-8 decoding', () => {
    expect(() => utf8Decode(new Uint8Array([0xc3]))).toThrow(CodecError);
    expect(utf8Decode(new Uint8Array([0xc3, 0xa9]))).toBe('é');
  });
  it('constantTimeEqual and compareBytes', () => {
    expect(constantTimeEqual(new Uint8Array([1, 2]), new Uint8Array([1, 2]))).toBe(true);
    expect(constantTimeEqual(new Uint8Array([1, 2]), new Uint8Array([1, 3]))).toBe(false);
    expect(constantTimeEqual(new Uint8Array([1]), new Uint8Array([1, 3]))).toBe(false);
    expect(compareBytes(new Uint8Array([1]), new Uint8Array([1, 0]))).toBeLessThan(0);
    expect(compareBytes(new Uint8Array([2]), new Uint8Array([1, 0]))).toBeGreaterThan(0);
  });
});
