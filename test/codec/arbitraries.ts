/** fast-check arbitraries for the CBOR value model. */
import fc from 'fast-check';
import type { CborValue } from '../../src/codec/cbor.js';

const key = fc.oneof(fc.string({ maxLength: 6 }), fc.string({ unit: 'binary', maxLength: 4 }), fc.constantFrom('__proto__', 'constructor', 'type', 'v'));

/** Any CborValue tree (bounded depth), maps as `Map`. */
export const cborValue: fc.Arbitrary<CborValue> = fc.letrec<{ value: CborValue }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', maxDepth: 6 },
    fc.constant(null),
    fc.boolean(),
    fc.integer({ min: -30, max: 300 }),
    fc.maxSafeInteger(),
    fc.constantFrom(23, 24, 255, 256, 65535, 65536, 2 ** 32 - 1, 2 ** 32, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER, -24, -25, -257),
    fc.string({ unit: 'binary', maxLength: 30 }),
    fc.uint8Array({ maxLength: 40 }),
    fc.array(tie('value'), { maxLength: 5 }),
    fc.uniqueArray(fc.tuple(key, tie('value')), { maxLength: 5, selector: (e) => e[0] }).map((entries) => new Map(entries)),
  ),
})).value;
