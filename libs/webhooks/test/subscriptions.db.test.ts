// Subscription use cases against the local stack's Postgres as the API's role (dph_api), row-level security on.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { requireStack, pgClientConfig } from '@dph/testkit';
import { withTransaction } from '@dph/db';
import {
  createSecretBox,
  createSubscription,
  deleteSubscription,
  getSubscription,
  listSubscriptions,
  rotateSubscriptionSecret,
  signingSecretsOf,
  SUBSCRIPTION_COLUMNS,
  type SubscriptionDeps,
  type SubscriptionRow,
} from '../src/index.js';

requireStack();
const api = new pg.Pool({ ...pgClientConfig('orchestrator-api'), max: 2 });
const dispatcher = new pg.Pool({ ...pgClientConfig('webhook-dispatcher'), max: 2 });
const scene = `whtest${randomBytes(3).toString('hex')}`;
let clock = new Date();
const deps: SubscriptionDeps = {
  storage: { box: createSecretBox(randomBytes(32)) },
  urlPolicy: { allowHttp: false, resolveAll: async () => [{ address: '93.184.216.34', family: 4 }] },
  now: () => clock,
};
before(() => undefined);
after(async () => {
  await api.end();
  await dispatcher.end();
});

const inScene = <T>(fn: (c: pg.PoolClient) => Promise<T>, s = scene) => withTransaction(api, fn, { scene: s });

test('create returns the secret once; the row holds only ciphertext; views never show it', async () => {
  const { subscription, secret } = await inScene((c) =>
    createSubscription(c, { tenantScene: scene, callbackUrl: 'https://hooks.example.com/a', eventFilter: ['job.succeeded'], createdBy: 'alice' }, deps),
  );
  assert.match(secret!, /^whsec_/);
  assert.equal(subscription.secretSource, 'managed');
  assert.deepEqual(subscription.eventFilter, ['job.succeeded']);
  assert.doesNotMatch(JSON.stringify(subscription), /whsec_|ciphertext/);
  const raw = await inScene((c) => c.query('SELECT secret_ciphertext, secret_ref FROM webhook_subscriptions WHERE subscription_id = $1', [subscription.subscriptionId]));
  assert.equal(raw.rows[0].secret_ref, null);
  assert.ok(!(raw.rows[0].secret_ciphertext as Buffer).includes(Buffer.from(secret!)));
  const got = await inScene((c) => getSubscription(c, scene, subscription.subscriptionId));
  assert.equal(got.callbackUrl, 'https://hooks.example.com/a');
});

test('another scene cannot see the subscription (RLS + scene check)', async () => {
  const { subscription } = await inScene((c) =>
    createSubscription(c, { tenantScene: scene, callbackUrl: 'https://hooks.example.com/b', createdBy: 'alice' }, deps),
  );
  await assert.rejects(inScene((c) => getSubscription(c, 'other-scene', subscription.subscriptionId), 'other-scene'), /not found/);
  await assert.rejects(inScene((c) => getSubscription(c, scene, subscription.subscriptionId), 'other-scene'), /not found/);
});

test('rotation: both secrets sign during the grace period, only the new one after', async () => {
  const { subscription, secret: first } = await inScene((c) =>
    createSubscription(c, { tenantScene: scene, callbackUrl: 'https://hooks.example.com/r', createdBy: 'alice' }, deps),
  );
  const id = subscription.subscriptionId;
  const rotated = await inScene((c) => rotateSubscriptionSecret(c, scene, id, { actor: 'alice', graceSeconds: 3600 }, deps));
  assert.notEqual(rotated.secret, first);
  assert.equal(rotated.audit.eventType, 'secret_rotated');
  assert.doesNotMatch(JSON.stringify(rotated.audit), /whsec_/);
  // The dispatcher's role reads the row and opens both secrets.
  const row = (await dispatcher.query<SubscriptionRow>(`SELECT ${SUBSCRIPTION_COLUMNS} FROM webhook_subscriptions WHERE subscription_id = $1`, [id])).rows[0]!;
  assert.deepEqual(await signingSecretsOf(row, deps.storage, clock), [rotated.secret, first]);
  assert.deepEqual(await signingSecretsOf(row, deps.storage, new Date(clock.getTime() + 3601_000)), [rotated.secret]);
  const view = await inScene((c) => getSubscription(c, scene, id));
  assert.equal(view.previousSecretExpiresAt, rotated.previousSecretExpiresAt);
});

test('list paginates newest first and hides deleted subscriptions', async () => {
  const s2 = `whlist${randomBytes(3).toString('hex')}`;
  const ids: string[] = [];
  for (let i = 0; i < 3; i++) {
    clock = new Date(Date.now() + i * 1000);
    const { subscription } = await inScene(
      (c) => createSubscription(c, { tenantScene: s2, callbackUrl: `https://hooks.example.com/${i}`, createdBy: 'bob' }, deps),
      s2,
    );
    ids.push(subscription.subscriptionId);
  }
  const page1 = await inScene((c) => listSubscriptions(c, s2, { limit: 2 }), s2);
  assert.equal(page1.items.length, 2);
  assert.ok(page1.nextCursor);
  const page2 = await inScene((c) => listSubscriptions(c, s2, { limit: 2, cursor: page1.nextCursor! }), s2);
  assert.equal(page2.items.length, 1);
  assert.equal(page2.nextCursor, null);
  const del = await inScene((c) => deleteSubscription(c, s2, ids[0]!, 'bob'), s2);
  assert.equal(del.audit.eventType, 'webhook_disabled');
  const after = await inScene((c) => listSubscriptions(c, s2), s2);
  assert.deepEqual(after.items.map((i) => i.subscriptionId).sort(), [ids[1], ids[2]].sort());
  await assert.rejects(inScene((c) => getSubscription(c, s2, ids[0]!), s2), /not found/);
});

test('registration refuses a callback resolving to a private address', async () => {
  const bad: SubscriptionDeps = { ...deps, urlPolicy: { allowHttp: false, resolveAll: async () => [{ address: '10.0.0.5', family: 4 }] } };
  await assert.rejects(
    inScene((c) => createSubscription(c, { tenantScene: scene, callbackUrl: 'https://internal.example.com/', createdBy: 'eve' }, bad)),
    (e: unknown) => (e as { code?: string }).code === 'egress_denied',
  );
});
