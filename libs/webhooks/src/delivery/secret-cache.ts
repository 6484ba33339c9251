import { DphError } from '@dph/errors';
import type { Queryable } from '@dph/db';
import { openCallbackSecret, openStoredSecret, subscriptionAad, type CallbackSecretRecord, type SecretStorage } from '../subscriptions/secrets.js';
import { SUBSCRIPTION_COLUMNS, type SubscriptionRow } from '../subscriptions/subscriptions.js';
import type { ClaimedDelivery } from './store.js';

interface Entry {
  current: string;
  previous: string | null;
  previousExpiresAt: number;
  loadedAt: number;
}

/**
 * Opened signing secrets, cached so a busy endpoint does not cost a decryption (or a Vault read) per delivery.
 * Keyed by subscription and its secret_rotated_at (returned by the claim): a rotation is seen at the very next
 * claim. The previous secret's grace period is checked at every use, not at load.
 */
export class SigningSecretCache {
  private readonly subs = new Map<string, Entry>();
  private readonly jobs = new Map<string, Entry>();
  /** Single flight: concurrent misses of one key share one load instead of each taking a pool connection. */
  private readonly loading = new Map<string, Promise<Entry>>();
  constructor(
    private readonly q: Queryable,
    private readonly storage: SecretStorage,
    private readonly ttlMs = 60_000,
    private readonly maxEntries = 20_000,
  ) {}

  async secretsFor(d: ClaimedDelivery, now = Date.now()): Promise<string[]> {
    const key = d.subscription_id ? `s|${d.subscription_id}|${d.sub_rotated_at?.getTime() ?? 0}` : `j|${d.job_id}`;
    let e = (d.subscription_id ? this.subs : this.jobs).get(d.subscription_id ? key.slice(2) : (d.job_id ?? ''));
    if (!e || now - e.loadedAt >= this.ttlMs) {
      let p = this.loading.get(key);
      if (!p) {
        p = (d.subscription_id ? this.subscriptionEntry(d, now) : this.callbackEntry(d, now)).finally(() => this.loading.delete(key));
        this.loading.set(key, p);
      }
      e = await p;
    }
    return e.previous && e.previousExpiresAt > now ? [e.current, e.previous] : [e.current];
  }

  private async subscriptionEntry(d: ClaimedDelivery, now: number): Promise<Entry> {
    const key = `${d.subscription_id}|${d.sub_rotated_at?.getTime() ?? 0}`;
    const hit = this.subs.get(key);
    if (hit && now - hit.loadedAt < this.ttlMs) return hit;
    const { rows } = await this.q.query<SubscriptionRow>(
      `SELECT ${SUBSCRIPTION_COLUMNS} FROM webhook_subscriptions WHERE subscription_id = $1`,
      [d.subscription_id],
    );
    const row = rows[0];
    if (!row) throw new DphError('webhook_secret_unreadable', 'subscription gone', { retryable: false });
    const aad = subscriptionAad(row.subscription_id);
    const current = await openStoredSecret(this.storage, { ref: row.secret_ref, ciphertext: row.secret_ciphertext, keyId: row.secret_key_id }, aad);
    const hasPrev = row.previous_secret_expires_at && (row.previous_secret_ref || row.previous_secret_ciphertext);
    const previous = hasPrev
      ? await openStoredSecret(this.storage, { ref: row.previous_secret_ref, ciphertext: row.previous_secret_ciphertext, keyId: row.previous_secret_key_id }, aad)
      : null;
    const entry = { current, previous, previousExpiresAt: row.previous_secret_expires_at?.getTime() ?? 0, loadedAt: now };
    this.put(this.subs, key, entry);
    return entry;
  }

  private async callbackEntry(d: ClaimedDelivery, now: number): Promise<Entry> {
    const jobId = d.job_id;
    if (!jobId) throw new DphError('webhook_secret_unreadable', 'callback without job', { retryable: false });
    const hit = this.jobs.get(jobId);
    if (hit && now - hit.loadedAt < this.ttlMs) return hit;
    const { rows } = await this.q.query<{ callback: { secret?: CallbackSecretRecord } | null }>(
      'SELECT callback FROM jobs WHERE job_id = $1',
      [jobId],
    );
    const record = rows[0]?.callback?.secret;
    if (!record) throw new DphError('webhook_secret_unreadable', 'the job callback has no signing secret', { retryable: false });
    const entry = { current: await openCallbackSecret(this.storage, jobId, record), previous: null, previousExpiresAt: 0, loadedAt: now };
    this.put(this.jobs, jobId, entry);
    return entry;
  }

  private put(m: Map<string, Entry>, k: string, v: Entry): void {
    if (m.size >= this.maxEntries) m.delete(m.keys().next().value as string);
    m.set(k, v);
  }
}
