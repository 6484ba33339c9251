/**
 * Field builders for environment schemas. Every builder carries a short description of the expected form, which
 * becomes the error text ("DPH_PG_PORT: expected an integer 1-65535"). The value itself is never echoed: it may
 * be a secret.
 */
import { accessSync, constants, statSync } from 'node:fs';
import { z } from 'zod';

const expect = (form: string) => `expected ${form}`;

/** A non-empty string (after trimming surrounding whitespace). */
export function str(form = 'a non-empty string') {
  return z.string({ error: expect(form) }).trim().min(1, { error: expect(form) });
}

/** A secret: a non-empty string. Kept distinct so schemas read as what they hold. */
export function secret(form = 'a non-empty secret') {
  return z.string({ error: expect(form) }).min(1, { error: expect(form) });
}

export function int(min: number, max: number) {
  const form = expect(`an integer ${min}-${max}`);
  return z
    .string({ error: form })
    .trim()
    .regex(/^-?\d+$/, { error: form })
    .transform(Number)
    .pipe(z.number().int().min(min, { error: form }).max(max, { error: form }));
}

export const port = () => int(1, 65535);

export function oneOf<const T extends readonly [string, ...string[]]>(values: T) {
  return z.enum(values, { error: expect(`one of ${values.join('|')}`) });
}

const TRUE = new Set(['true', '1', 'yes', 'on']);
const FALSE = new Set(['false', '0', 'no', 'off']);
/** true|false (also 1/0, yes/no, on/off), case-insensitive. */
export function bool() {
  const form = expect('a boolean (true|false)');
  return z
    .string({ error: form })
    .trim()
    .toLowerCase()
    .refine((v) => TRUE.has(v) || FALSE.has(v), { error: form })
    .transform((v) => TRUE.has(v));
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
/** A duration in milliseconds: `1500`, `1500ms`, `20s`, `5m`, `1h`. A bare number is milliseconds. */
export function duration(opts: { min?: number; max?: number } = {}) {
  const form = expect('a duration such as 500ms, 20s, 5m (a bare number is milliseconds)');
  const min = opts.min ?? 0;
  const max = opts.max ?? 7 * 24 * 3_600_000;
  return z
    .string({ error: form })
    .trim()
    .regex(/^\d+(\.\d+)?(ms|s|m|h)?$/, { error: form })
    .transform((v) => {
      const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(v)!;
      return Math.round(Number(m[1]) * UNIT_MS[m[2] ?? 'ms']!);
    })
    .pipe(z.number().min(min, { error: form }).max(max, { error: form }));
}

/** A comma-separated list of non-empty items, e.g. `public,internal`. Optionally each item from `allowed`. */
export function csv<const T extends readonly string[]>(allowed?: T) {
  const form = allowed
    ? expect(`a comma-separated list of ${allowed.join('|')}`)
    : expect('a comma-separated list of non-empty items');
  return z
    .string({ error: form })
    .transform((v) => v.split(',').map((s) => s.trim()))
    .refine((items) => items.length > 0 && items.every((s) => s.length > 0), { error: form })
    .refine((items) => !allowed || items.every((s) => allowed.includes(s)), { error: form })
    .transform((items) => items as unknown as T extends readonly string[] ? T[number][] : string[]);
}

/** A URL whose scheme is one of `protocols` (e.g. ['amqps:']). Plaintext schemes are simply not allowed. */
export function url(protocols: readonly string[], form?: string) {
  const text = expect(form ?? `a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}`);
  return z
    .string({ error: text })
    .trim()
    .refine(
      (v) => {
        try {
          const u = new URL(v);
          return protocols.includes(u.protocol) && u.hostname.length > 0;
        } catch {
          return false;
        }
      },
      { error: text },
    );
}

/** A path to a regular file that exists and that this process can read (TLS material, CA bundles). */
export function readableFile() {
  const form = expect('a path to an existing, readable file');
  return z
    .string({ error: form })
    .trim()
    .min(1, { error: form })
    .refine(
      (p) => {
        try {
          if (!statSync(p).isFile()) return false;
          accessSync(p, constants.R_OK);
          return true;
        } catch {
          return false;
        }
      },
      { error: form },
    );
}
