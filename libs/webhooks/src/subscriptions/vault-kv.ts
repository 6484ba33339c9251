import { DphError } from '@dph/errors';

/**
 * The narrow Vault KV v2 surface the webhook code needs. The adapter over node-vault lives in vault-node.ts;
 * domain code and tests depend on this interface only.
 */
export interface SecretVault {
  /** Reads `secret` at the path (latest version, or the given one); returns it with the version read. */
  read(path: string, version?: number): Promise<{ secret: string; version: number }>;
  /** Writes a new version holding `secret`; returns the version number created. */
  write(path: string, secret: string): Promise<number>;
}

/** Vault paths are operator-chosen names; keep them to a safe alphabet so they cannot escape the KV mount. */
export const SECRET_PATH_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.\-/]{0,199}$/;

export function checkSecretPath(path: unknown): string {
  if (typeof path !== 'string' || !SECRET_PATH_PATTERN.test(path) || path.includes('..') || path.includes('//')) {
    throw new DphError('validation_failed', 'secretId must be a Vault KV path', { status: 422, details: { field: 'secretId' } });
  }
  return path;
}

/** A stored reference to one version of a Vault secret: `<path>@<version>` (the version pins rotation). */
export const formatSecretRef = (path: string, version: number): string => `${path}@${version}`;
export function parseSecretRef(ref: string): { path: string; version: number | undefined } {
  const at = ref.lastIndexOf('@');
  if (at < 0) return { path: ref, version: undefined };
  const version = Number(ref.slice(at + 1));
  return Number.isInteger(version) && version > 0 ? { path: ref.slice(0, at), version } : { path: ref, version: undefined };
}
