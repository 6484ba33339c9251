import { DphError } from '@dph/errors';
import { generateSecret, isWebhookSecret } from '../secret.js';
import type { SecretBox } from './secret-box.js';
import { checkSecretPath, formatSecretRef, parseSecretRef, type SecretVault } from './vault-kv.js';

/** Where secrets go: Vault KV v2 when configured, else sealed into Postgres with the file key. */
export interface SecretStorage {
  vault?: SecretVault | undefined;
  box?: SecretBox | undefined;
  /** Vault path for secrets the product generates itself; `{scene}` and `{id}` are substituted. */
  vaultPathTemplate?: string;
}

/** The secret columns of one slot (current or previous) of webhook_subscriptions. */
export interface StoredSecret {
  ref: string | null;
  ciphertext: Buffer | null;
  keyId: string | null;
}

const DEFAULT_VAULT_TEMPLATE = 'dph/webhooks/{scene}/{id}';

function requireStorage(s: SecretStorage): void {
  if (!s.vault && !s.box) {
    throw new DphError('service_unavailable', 'no webhook secret storage configured', { status: 503, retryable: false });
  }
}

/** Generates a secret and stores it; returns the stored form and the plaintext to hand back once. */
export async function storeNewSecret(
  s: SecretStorage,
  context: { scene: string; id: string; aad: string },
  existingRef?: string | null,
): Promise<{ stored: StoredSecret; secret: string }> {
  requireStorage(s);
  const secret = generateSecret();
  if (s.vault) {
    const path = existingRef
      ? parseSecretRef(existingRef).path
      : (s.vaultPathTemplate ?? DEFAULT_VAULT_TEMPLATE).replace('{scene}', context.scene).replace('{id}', context.id);
    const version = await s.vault.write(checkSecretPath(path), secret);
    return { stored: { ref: formatSecretRef(path, version), ciphertext: null, keyId: null }, secret };
  }
  const sealed = s.box!.seal(secret, context.aad);
  return { stored: { ref: null, ciphertext: sealed.ciphertext, keyId: sealed.keyId }, secret };
}

/** A secret the operator already put in Vault (`secretId` at registration): pin the version that exists now. */
export async function referenceVaultSecret(s: SecretStorage, secretId: unknown): Promise<StoredSecret> {
  const path = checkSecretPath(secretId);
  if (!s.vault) {
    throw new DphError('validation_failed', 'secretId needs Vault, which is not configured', {
      status: 422,
      details: { field: 'secretId' },
    });
  }
  const { secret, version } = await s.vault.read(path);
  if (!isWebhookSecret(secret)) {
    throw new DphError('validation_failed', 'the Vault secret is not in whsec_<base64> format (24+ bytes)', {
      status: 422,
      details: { field: 'secretId' },
    });
  }
  return { ref: formatSecretRef(path, version), ciphertext: null, keyId: null };
}

export async function openStoredSecret(s: SecretStorage, stored: StoredSecret, aad: string): Promise<string> {
  if (stored.ref) {
    if (!s.vault) throw new DphError('service_unavailable', 'Vault not configured for a Vault-held webhook secret', { status: 503 });
    const { path, version } = parseSecretRef(stored.ref);
    return (await s.vault.read(path, version)).secret;
  }
  if (stored.ciphertext && stored.keyId) {
    if (!s.box) throw new DphError('service_unavailable', 'no secret key configured for a sealed webhook secret', { status: 503 });
    return s.box.open({ ciphertext: stored.ciphertext, keyId: stored.keyId }, aad);
  }
  throw new DphError('webhook_secret_unreadable', 'webhook secret missing', { status: 500 });
}

/** Per-job callback secret kept in jobs.callback.secret (base64 ciphertext or a Vault ref). */
export type CallbackSecretRecord = { ref: string } | { ciphertext: string; keyId: string };

export const subscriptionAad = (id: string): string => `webhook_subscription:${id}`;
export const callbackAad = (jobId: string): string => `job_callback:${jobId}`;

/**
 * For the API at job submission with a `callback`: generates the callback's secret (returned to the submitter
 * once) and the record to store under jobs.callback.secret. The dispatcher opens it with openCallbackSecret.
 */
export async function sealCallbackSecret(
  s: SecretStorage,
  job: { jobId: string; tenantScene: string },
): Promise<{ secret: string; record: CallbackSecretRecord }> {
  const { stored, secret } = await storeNewSecret(
    { ...s, vaultPathTemplate: 'dph/callbacks/{scene}/{id}' },
    { scene: job.tenantScene, id: job.jobId, aad: callbackAad(job.jobId) },
  );
  const record: CallbackSecretRecord = stored.ref
    ? { ref: stored.ref }
    : { ciphertext: stored.ciphertext!.toString('base64'), keyId: stored.keyId! };
  return { secret, record };
}

export async function openCallbackSecret(s: SecretStorage, jobId: string, record: CallbackSecretRecord): Promise<string> {
  const stored: StoredSecret =
    'ref' in record
      ? { ref: record.ref, ciphertext: null, keyId: null }
      : { ref: null, ciphertext: Buffer.from(record.ciphertext, 'base64'), keyId: record.keyId };
  return openStoredSecret(s, stored, callbackAad(jobId));
}
