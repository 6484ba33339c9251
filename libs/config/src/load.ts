import { readFileSync } from 'node:fs';
import { ConfigError } from '@dph/errors';
import type { z } from 'zod';

export type Env = Record<string, string | undefined>;

export interface ConfigIssue {
  variable: string;
  expected: string;
}

/** Thrown by loadConfig; `issues` lists every bad variable (names and expected forms only, never values). */
export class ConfigErrors extends ConfigError {
  readonly issues: readonly ConfigIssue[];
  constructor(issues: ConfigIssue[]) {
    const first = issues[0]!;
    super(first.variable, first.expected);
    this.issues = issues;
    if (issues.length > 1) {
      const rest = issues.slice(1).map((i) => i.variable);
      this.message = `${first.variable}: ${first.expected} (also invalid: ${rest.join(', ')})`;
    }
  }
}

/**
 * Collects the schema's variables from `env`, resolving `X_FILE` (a path whose contents, without the trailing
 * newline, are the value of `X`). An empty variable counts as unset, so `X=` in an env file does not mask a
 * default.
 */
function collect(keys: string[], env: Env): { values: Record<string, string>; issues: ConfigIssue[] } {
  const values: Record<string, string> = {};
  const issues: ConfigIssue[] = [];
  for (const key of keys) {
    const direct = env[key];
    const file = env[`${key}_FILE`];
    const hasDirect = direct !== undefined && direct !== '';
    const hasFile = file !== undefined && file !== '';
    if (hasDirect && hasFile) {
      issues.push({ variable: key, expected: `set either ${key} or ${key}_FILE, not both` });
    } else if (hasFile) {
      try {
        values[key] = readFileSync(file, 'utf8').replace(/\r?\n$/, '');
      } catch {
        issues.push({ variable: `${key}_FILE`, expected: 'expected a path to a readable file' });
      }
    } else if (hasDirect) {
      values[key] = direct;
    }
  }
  return { values, issues };
}

/** Variables that only make sense together (a certificate without its key is a mistake, not a choice). */
const PAIRED: ReadonlyArray<readonly [string, string]> = [
  ['DPH_TLS_CLIENT_CERT_FILE', 'DPH_TLS_CLIENT_KEY_FILE'],
  ['DPH_API_TLS_CERT_FILE', 'DPH_API_TLS_KEY_FILE'],
];

type AnyObjectSchema = z.ZodObject<z.ZodRawShape>;

/**
 * Parses the environment once against `schema` (a zod object whose keys are variable names) and returns a frozen
 * result. Throws ConfigErrors naming every bad variable; the message never contains a value.
 */
export function loadConfig<S extends AnyObjectSchema>(schema: S, env: Env = process.env): Readonly<z.output<S>> {
  const keys = Object.keys(schema.shape);
  const { values, issues } = collect(keys, env);
  const failed = new Set(issues.map((i) => i.variable.replace(/_FILE$/, '')));
  const result = schema.safeParse(values);
  if (!result.success) {
    for (const issue of result.error.issues) {
      const variable = String(issue.path[0] ?? '(config)');
      if (failed.has(variable)) continue;
      failed.add(variable);
      const missing = values[variable] === undefined && keys.includes(variable);
      issues.push({
        variable,
        expected: missing ? `required, ${issue.message}` : issue.message,
      });
    }
  }
  for (const [a, b] of PAIRED) {
    if (keys.includes(a) && keys.includes(b) && (values[a] === undefined) !== (values[b] === undefined)) {
      const missing = values[a] === undefined ? a : b;
      if (!failed.has(missing)) issues.push({ variable: missing, expected: `required together with ${missing === a ? b : a}` });
    }
  }
  if (issues.length > 0) throw new ConfigErrors(issues);
  return deepFreeze(result.data as z.output<S>);
}

export interface ExitOptions {
  /** Where the one-line error goes (default: stderr). */
  write?: (line: string) => void;
  exit?: (code: number) => never;
}

/** loadConfig for main.ts: on failure prints one line `config error: VAR: expected ...` and exits 1. */
export function loadConfigOrExit<S extends AnyObjectSchema>(
  schema: S,
  env: Env = process.env,
  opts: ExitOptions = {},
): Readonly<z.output<S>> {
  return configOrExit(() => loadConfig(schema, env), opts);
}

/**
 * Runs a config-building function (e.g. a lib's `pgSettingsFromEnv`) with the same one-line exit on failure.
 * Only ConfigError text is printed: anything else might carry a value.
 */
export function configOrExit<T>(build: () => T, opts: ExitOptions = {}): T {
  try {
    return build();
  } catch (err) {
    const write = opts.write ?? ((line: string) => process.stderr.write(line + '\n'));
    const exit = opts.exit ?? ((code: number) => process.exit(code));
    write(`config error: ${err instanceof ConfigError ? err.message : 'unexpected failure while reading configuration'}`);
    return exit(1);
  }
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value as object)) deepFreeze(v);
  }
  return value;
}
