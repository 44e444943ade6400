/** JSON form of a certificate for frozen vectors: keys and bytes as hex. */
import { toHex } from '../../src/bytes.js';
import type { Certificate } from '../../src/certificates/index.js';

export function toJson(cert: Certificate): Record<string, unknown> {
  return JSON.parse(
    JSON.stringify(cert, (_k, v: unknown) => {
      if (v instanceof Uint8Array) return toHex(v);
      if (v !== null && typeof v === 'object' && 'toBytes' in v && typeof (v as { toBytes: unknown }).toBytes === 'function') {
        return toHex((v as { toBytes(): Uint8Array }).toBytes());
      }
      return v;
    }),
  ) as Record<string, unknown>;
}
