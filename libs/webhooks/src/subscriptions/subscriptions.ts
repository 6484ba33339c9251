/**
 * Subscription use cases for the API's /v1/webhooks routes. Data access goes through the narrow Queryable (a
 * pool or a client in the caller's transaction): the API calls these inside withTransaction({ scene }) so that
 * row-level security scopes every statement, and writes the returned audit events to its outbox in the same
 * transaction.
 */
import { randomUUID } from 'node:crypto';
import { DphError } from '@dph/errors';
import { ERROR_CODES, SCENE_PATTERN, type AuditEventData, UUID_PATTERN } from '@dph/contracts';
import type { Queryable } from '@dph/db';
import { validateCallbackUrl, type CallbackUrlPolicy } from './callback-url.js';
import { validateEventFilter } from './event-filter.js';
import {
  openStoredSecret,
  referenceVaultSecret,
  storeNewSecret,
  subscriptionAad,
  type SecretStorage,
  type StoredSecret,
} from './secrets.js';

export interface SubscriptionDeps {
  storage: SecretStorage;
  urlPolicy: CallbackUrlPolicy;
  now?: () => Date;
}

export interface CreateSubscriptionInput {
  tenantScene: string;
  callbackUrl: unknown;
  eventFilter?: unknown;
  secretId?: unknown;
  description?: unknown;
  /** Token subject of the caller. */
  createdBy: string;
}

/** What the API may show: never the secret, nor its ciphertext or Vault path. */
export interface SubscriptionView {
  subscriptionId: string;
  tenantScene: string;
  callbackUrl: string;
  eventFilter: string[];
  description: string | null;
  status: 'active' | 'disabled';
  disabledReason: string | null;
  disabledAt: string | null;
  secretSource: 'vault' | 'managed';
  secretRotatedAt: string | null;
  previousSecretExpiresAt: string | null;
  consecutiveFailures: number;
  lastSuccessAt: string | null;
  lastFailureAt: string | null;
  createdBy: string;
  createdAt: string;
}

export interface SubscriptionRow {
  subscription_id: string;
  tenant_scene: string;
  callback_url: string;
  event_filter: string[];
  description: string | null;
  secret_ref: string | null;
  secret_ciphertext: Buffer | null;
  secret_key_id: string | null;
  previous_secret_ref: string | null;
  previous_secret_ciphertext: Buffer | null;
  previous_secret_key_id: string | null;
  previous_secret_expires_at: Date | null;
  secret_rotated_at: Date | null;
  status: 'active' | 'disabled';
  disabled_reason: string | null;
  disabled_at: Date | null;
  consecutive_failures: number;
  last_failure_at: Date | null;
  last_success_at: Date | null;
  created_by: string;
  created_at: Date;
}

/** A DELETE is a soft delete (status disabled, this reason): deliveries keep their subscription for the audit. */
export const DELETED_REASON = 'deleted';
const COLUMNS = `subscription_id, tenant_scene, callback_url, event_filter, description, secret_ref, secret_ciphertext,
  secret_key_id, previous_secret_ref, previous_secret_ciphertext, previous_secret_key_id, previous_secret_expires_at,
  secret_rotated_at, status, disabled_reason, disabled_at, consecutive_failures, last_failure_at, last_success_at,
  created_by, created_at`;

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function toView(r: SubscriptionRow): SubscriptionView {
  return {
    subscriptionId: r.subscription_id,
    tenantScene: r.tenant_scene,
    callbackUrl: r.callback_url,
    eventFilter: r.event_filter,
    description: r.description,
    status: r.status,
    disabledReason: r.disabled_reason,
    disabledAt: iso(r.disabled_at),
    secretSource: r.secret_ref ? 'vault' : 'managed',
    secretRotatedAt: iso(r.secret_rotated_at),
    previousSecretExpiresAt: iso(r.previous_secret_expires_at),
    consecutiveFailures: r.consecutive_failures,
    lastSuccessAt: iso(r.last_success_at),
    lastFailureAt: iso(r.last_failure_at),
    createdBy: r.created_by,
    createdAt: r.created_at.toISOString(),
  };
}

/** The fields of the API's `Webhook` schema (openapi.yaml, additionalProperties: false), picked from a view. */
export function toApiWebhook(v: SubscriptionView): Pick<SubscriptionView, 'subscriptionId' | 'tenantScene' | 'callbackUrl' | 'eventFilter' | 'status' | 'disabledReason' | 'createdAt' | 'createdBy'> {
  return {
    subscriptionId: v.subscriptionId,
    tenantScene: v.tenantScene,
    callbackUrl: v.callbackUrl,
    eventFilter: v.eventFilter,
    status: v.status,
    disabledReason: v.disabledReason,
    createdAt: v.createdAt,
    createdBy: v.createdBy,
  };
}

function checkScene(scene: string): void {
  if (!SCENE_PATTERN.test(scene)) throw new DphError(ERROR_CODES.validationFailed, 'invalid tenant scene', { status: 400 });
}

function notFound(): DphError {
  return new DphError(ERROR_CODES.notFound, 'webhook subscription not found', { status: 404 });
}


/** POST /v1/webhooks → 201 { subscriptionId, secret? }: `secret` only when the product generated it. */
export async function createSubscription(
  q: Queryable,
  input: CreateSubscriptionInput,
  deps: SubscriptionDeps,
): Promise<{ subscription: SubscriptionView; secret?: string }> {
  checkScene(input.tenantScene);
  const callbackUrl = await validateCallbackUrl(input.callbackUrl, deps.urlPolicy);
  const eventFilter = validateEventFilter(input.eventFilter);
  if (input.description !== undefined && input.description !== null && (typeof input.description !== 'string' || input.description.length > 500)) {
    throw new DphError(ERROR_CODES.validationFailed, 'description must be a string of at most 500 characters', { status: 422 });
  }
  const id = randomUUID();
  let stored: StoredSecret;
  let secret: string | undefined;
  if (input.secretId !== undefined && input.secretId !== null) {
    stored = await referenceVaultSecret(deps.storage, input.secretId);
  } else {
    ({ stored, secret } = await storeNewSecret(deps.storage, { scene: input.tenantScene, id, aad: subscriptionAad(id) }));
  }
  const { rows } = await q.query<SubscriptionRow>(
    `INSERT INTO webhook_subscriptions (subscription_id, tenant_scene, callback_url, event_filter, description,
       secret_ref, secret_ciphertext, secret_key_id, created_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING ${COLUMNS}`,
    [id, input.tenantScene, callbackUrl, eventFilter, (input.description as string | undefined) ?? null,
      stored.ref, stored.ciphertext, stored.keyId, input.createdBy],
  );
  const subscription = toView(rows[0]!);
  return secret === undefined ? { subscription } : { subscription, secret };
}

async function loadRow(q: Queryable, scene: string, id: string, lock = false): Promise<SubscriptionRow> {
  checkScene(scene);
  if (!UUID_PATTERN.test(id)) throw notFound();
  const { rows } = await q.query<SubscriptionRow>(
    `SELECT ${COLUMNS} FROM webhook_subscriptions
      WHERE subscription_id = $1 AND tenant_scene = $2 AND disabled_reason IS DISTINCT FROM '${DELETED_REASON}'
      ${lock ? 'FOR UPDATE' : ''}`,
    [id, scene],
  );
  if (!rows[0]) throw notFound();
  return rows[0];
}

/** GET /v1/webhooks/{id}. */
export async function getSubscription(q: Queryable, tenantScene: string, id: string): Promise<SubscriptionView> {
  return toView(await loadRow(q, tenantScene, id));
}

/** GET /v1/webhooks: newest first, keyset-paginated on (created_at, id) via an opaque cursor. */
export async function listSubscriptions(
  q: Queryable,
  tenantScene: string,
  opts: { limit?: number; cursor?: string } = {},
): Promise<{ items: SubscriptionView[]; nextCursor: string | null }> {
  checkScene(tenantScene);
  const limit = Math.min(Math.max(opts.limit ?? 50, 1), 200);
  let after: [string, string] | null = null;
  if (opts.cursor) {
    const [ts, id] = Buffer.from(opts.cursor, 'base64url').toString('utf8').split('|');
    if (!ts || !id || !UUID_PATTERN.test(id) || Number.isNaN(Date.parse(ts))) {
      throw new DphError(ERROR_CODES.validationFailed, 'invalid cursor', { status: 400 });
    }
    after = [ts, id];
  }
  const { rows } = await q.query<SubscriptionRow>(
    `SELECT ${COLUMNS} FROM webhook_subscriptions
      WHERE tenant_scene = $1 AND disabled_reason IS DISTINCT FROM '${DELETED_REASON}'
        AND ($2::timestamptz IS NULL OR (created_at, subscription_id) < ($2::timestamptz, $3::uuid))
      ORDER BY created_at DESC, subscription_id DESC LIMIT $4`,
    [tenantScene, after?.[0] ?? null, after?.[1] ?? null, limit + 1],
  );
  const items = rows.slice(0, limit).map(toView);
  const last = rows.length > limit ? rows[limit - 1]! : null;
  const nextCursor = last
    ? Buffer.from(`${last.created_at.toISOString()}|${last.subscription_id}`, 'utf8').toString('base64url')
    : null;
  return { items, nextCursor };
}

function audit(eventType: AuditEventData['eventType'], scene: string, actor: string, payload: Record<string, unknown>, at: Date): AuditEventData {
  return { eventType, jobId: null, tenantScene: scene, actor, payload, traceId: null, occurredAt: at.toISOString() };
}

/** DELETE /v1/webhooks/{id} → 204. Soft delete: no more deliveries; pending ones end as dead (endpoint gone). */
export async function deleteSubscription(
  q: Queryable,
  tenantScene: string,
  id: string,
  actor: string,
  now: Date = new Date(),
): Promise<{ audit: AuditEventData }> {
  await loadRow(q, tenantScene, id, true);
  await q.query(
    `UPDATE webhook_subscriptions SET status = 'disabled', disabled_reason = '${DELETED_REASON}', disabled_at = $3
      WHERE subscription_id = $1 AND tenant_scene = $2`,
    [id, tenantScene, now],
  );
  return { audit: audit('webhook_disabled', tenantScene, actor, { subscriptionId: id, reason: DELETED_REASON }, now) };
}

export const DEFAULT_ROTATION_GRACE_SECONDS = 24 * 3600;
export const MAX_ROTATION_GRACE_SECONDS = 7 * 24 * 3600;

/**
 * POST /v1/webhooks/{id}/rotate-secret → 200 { secret, previousSecretExpiresAt }. The old secret keeps signing
 * beside the new one until the grace period ends. Rotating again during a grace period drops the oldest secret:
 * at most two sign at any time.
 */
export async function rotateSubscriptionSecret(
  q: Queryable,
  tenantScene: string,
  id: string,
  opts: { actor: string; graceSeconds?: number },
  deps: SubscriptionDeps,
): Promise<{ secret: string; previousSecretExpiresAt: string; audit: AuditEventData }> {
  const grace = opts.graceSeconds ?? DEFAULT_ROTATION_GRACE_SECONDS;
  if (!Number.isInteger(grace) || grace < 0 || grace > MAX_ROTATION_GRACE_SECONDS) {
    throw new DphError(ERROR_CODES.validationFailed, `graceSeconds must be an integer 0..${MAX_ROTATION_GRACE_SECONDS}`, { status: 422 });
  }
  const row = await loadRow(q, tenantScene, id, true);
  const now = deps.now?.() ?? new Date();
  const { stored, secret } = await storeNewSecret(deps.storage, { scene: tenantScene, id, aad: subscriptionAad(id) }, row.secret_ref);
  const expires = new Date(now.getTime() + grace * 1000);
  await q.query(
    `UPDATE webhook_subscriptions SET
       previous_secret_ref = secret_ref, previous_secret_ciphertext = secret_ciphertext,
       previous_secret_key_id = secret_key_id, previous_secret_expires_at = $3,
       secret_ref = $4, secret_ciphertext = $5, secret_key_id = $6, secret_rotated_at = $7
     WHERE subscription_id = $1 AND tenant_scene = $2`,
    [id, tenantScene, expires, stored.ref, stored.ciphertext, stored.keyId, now],
  );
  return {
    secret,
    previousSecretExpiresAt: expires.toISOString(),
    audit: audit('secret_rotated', tenantScene, opts.actor, { subscriptionId: id, graceSeconds: grace }, now),
  };
}

/** The secrets that sign a delivery now: the current one, then the previous one while its grace period lasts. */
export async function signingSecretsOf(row: SubscriptionRow, storage: SecretStorage, now: Date = new Date()): Promise<string[]> {
  const aad = subscriptionAad(row.subscription_id);
  const secrets = [
    await openStoredSecret(storage, { ref: row.secret_ref, ciphertext: row.secret_ciphertext, keyId: row.secret_key_id }, aad),
  ];
  if (row.previous_secret_expires_at && row.previous_secret_expires_at > now && (row.previous_secret_ref || row.previous_secret_ciphertext)) {
    secrets.push(
      await openStoredSecret(
        storage,
        { ref: row.previous_secret_ref, ciphertext: row.previous_secret_ciphertext, keyId: row.previous_secret_key_id },
        aad,
      ),
    );
  }
  return secrets;
}

export const SUBSCRIPTION_COLUMNS = COLUMNS;
