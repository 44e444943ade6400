/**
 * The part of vitest's API that the shared suites use (describe / it / expect with a few
 * matchers / afterAll), for running those same files inside a browser page. The browser bundle
 * maps `vitest` to this module; results are collected and reported back to the Node test.
 */
type Fn = () => unknown;
interface Registered {
  readonly name: string;
  readonly fn: Fn;
}

const tests: Registered[] = [];
const afterAlls: Fn[] = [];
const stack: string[] = [];

function describeOne(name: string, fn: () => void): void {
  stack.push(name);
  try {
    fn();
  } finally {
    stack.pop();
  }
}

/** `.each(rows)(name with %s, fn)`: one call of `register` per row, `%s` filled from the row. */
function each<R>(register: (name: string, fn: () => R) => void) {
  return <Row extends readonly unknown[]>(rows: readonly Row[]) =>
    (name: string, fn: (...row: Row) => R): void => {
      for (const row of rows) {
        let i = 0;
        register(
          name.replace(/%[sdi]/g, () => String(row[i++])),
          () => fn(...row),
        );
      }
    };
}

export const describe = Object.assign(describeOne, { each: each<void>(describeOne) });

function itOne(name: string, fn: Fn): void {
  tests.push({ name: [...stack, name].join(' > '), fn });
}
export const it = Object.assign(itOne, { each: each<unknown>(itOne) });
export const test = it;

export function afterAll(fn: Fn): void {
  afterAlls.push(fn);
}

/** One test's outcome, as sent back to Node. */
export interface ShimResult {
  readonly name: string;
  readonly ok: boolean;
  readonly error?: string;
  readonly ms: number;
}

/** Runs every registered test whose name contains `filter`, one after the other. */
export async function runRegistered(filter = ''): Promise<ShimResult[]> {
  const out: ShimResult[] = [];
  for (const t of tests.filter((x) => x.name.includes(filter))) {
    const start = performance.now();
    try {
      await t.fn();
      out.push({ name: t.name, ok: true, ms: performance.now() - start });
    } catch (e) {
      out.push({ name: t.name, ok: false, error: e instanceof Error ? `${e.name}: ${e.message}\n${e.stack ?? ''}` : String(e), ms: performance.now() - start });
    }
  }
  for (const f of afterAlls) await f();
  return out;
}

function show(v: unknown): string {
  if (v instanceof Uint8Array) return `Uint8Array[${[...v.slice(0, 16)].join(',')}${v.length > 16 ? ',…' : ''}]`;
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
  if (ArrayBuffer.isView(a)) {
    const x = a as unknown as ArrayLike<unknown>;
    const y = b as unknown as ArrayLike<unknown>;
    if (x.length !== y.length) return false;
    for (let i = 0; i < x.length; i++) if (!Object.is(x[i], y[i])) return false;
    return true;
  }
  if (a instanceof Map && b instanceof Map) {
    if (a.size !== b.size) return false;
    for (const [k, v] of a) if (!b.has(k) || !deepEqual(v, b.get(k))) return false;
    return true;
  }
  const ka = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
  const kb = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

function matchers(actual: unknown, message: string | undefined, negate: boolean) {
  const check = (pass: boolean, what: string): void => {
    if (pass === negate) throw new Error(`${message ? `${message}: ` : ''}expected ${show(actual)} ${negate ? 'not ' : ''}${what}`);
  };
  return {
    toBe: (e: unknown) => check(Object.is(actual, e), `to be ${show(e)}`),
    toEqual: (e: unknown) => check(deepEqual(actual, e), `to equal ${show(e)}`),
    toBeUndefined: () => check(actual === undefined, 'to be undefined'),
    toBeInstanceOf: (c: abstract new (...args: never[]) => unknown) => check(actual instanceof c, `to be an instance of ${c.name}`),
    toContain: (e: unknown) => check((actual as { includes(x: unknown): boolean }).includes(e), `to contain ${show(e)}`),
  };
}

export function expect(actual: unknown, message?: string) {
  return { ...matchers(actual, message, false), not: matchers(actual, message, true) };
}
