/**
 * Two scripted humans on the phone for SAS enrolment: each reads the code its screen shows, the
 * other waits for it and picks it if it is among the candidates (else "none"). Shared by the
 * client tests, the simulation and the sync bench.
 * @module
 */
import type { SasCode, SasUi } from '../../src/sas/index.js';

/** A fresh honest greeter/claimer pair; each pair is used for one enrolment. */
export function humans(): { greeter: SasUi; claimer: SasUi } {
  const shown = new Map<'g' | 'c', SasCode>();
  const waiting = new Map<'g' | 'c', (c: SasCode) => void>();
  const ui = (me: 'g' | 'c', other: 'g' | 'c'): SasUi => ({
    showCode(code) {
      shown.set(me, code);
      waiting.get(other)?.(code);
    },
    async pickCode(candidates) {
      const heard = shown.get(other) ?? (await new Promise<SasCode>((resolve) => waiting.set(me, resolve)));
      return candidates.includes(heard) ? heard : null;
    },
  });
  return { greeter: ui('g', 'c'), claimer: ui('c', 'g') };
}
