/** /v1/webhooks: wiring of @dph/webhooks' subscription use cases, each inside one scene-scoped transaction. */
import type { Request, Response, Router } from 'express';
import { canSubmit, isOperator, type Principal } from '@dph/auth';
import { ERROR_CODES, SCENE_PATTERN } from '@dph/contracts';
import { enqueueOutboxMany, withTransaction } from '@dph/db';
import { isDphError } from '@dph/errors';
import {
  createSubscription, deleteSubscription, getSubscription, listDeliveries, listSubscriptions, replayDeadDeliveries, replayDelivery,
  rotateSubscriptionSecret, type DeliveryView, type SubscriptionDeps, type SubscriptionView,
} from '@dph/webhooks';
import type { ApiDeps } from '../deps.js';
import { auditDenial, eventContext, validateRequest, wrap } from '../middleware.js';
import { problem } from '../problem.js';
import { auditDataMessage } from '../../domain/events.js';
import { clampLimit } from '../../domain/submission.js';
import { scenesToSearch } from './scope.js';

export type WebhookRoutesDeps = SubscriptionDeps;

/** Managing a scene's subscriptions: a submitter of the scene or its operator. */
const canManage = (p: Principal, scene: string) => canSubmit(p, scene) || isOperator(p, scene);

/** API cursor `<epoch ms>_<uuid>` (exactly what the OpenAPI pattern admits) to the library's opaque one. */
function toLibCursor(c: string | undefined): string | undefined {
  if (!c) return undefined;
  const [ms, id] = c.split('_') as [string, string];
  return Buffer.from(`${new Date(Math.min(Number(ms), Date.UTC(9999, 11, 31))).toISOString()}|${id}`, 'utf8').toString('base64url');
}

function view(s: SubscriptionView) {
  return {
    subscriptionId: s.subscriptionId,
    tenantScene: s.tenantScene,
    callbackUrl: s.callbackUrl,
    eventFilter: s.eventFilter,
    status: s.status,
    disabledReason: s.disabledReason,
    disabledAt: s.disabledAt,
    consecutiveFailures: s.consecutiveFailures,
    lastSuccessAt: s.lastSuccessAt,
    lastFailureAt: s.lastFailureAt,
    createdAt: s.createdAt,
    createdBy: s.createdBy,
  };
}

export function webhookRoutes(router: Router, deps: ApiDeps): void {
  const { pool, openapi } = deps;
  const wh = deps.webhooks;
  const unavailable = () => problem(ERROR_CODES.serviceUnavailable, 503, 'webhook subscriptions are not configured');

  /** Finds the subscription in the scenes the caller manages; 404 otherwise (existence is not revealed). */
  async function locate(req: Request, res: Response, id: string): Promise<{ scene: string; sub: SubscriptionView }> {
    const p = res.locals.principal!;
    for (const scene of scenesToSearch(p, req.get('x-tenant-scene') ?? undefined)) {
      if (!canManage(p, scene)) continue;
      try {
        const sub = await withTransaction(pool, (c) => getSubscription(c, scene, id), { scene, readOnly: true });
        return { scene, sub };
      } catch (err) {
        if (!(isDphError(err) && err.status === 404)) throw err;
      }
    }
    throw problem(ERROR_CODES.notFound, 404, 'subscription not found');
  }

  router.post('/v1/webhooks', validateRequest(deps, openapi.operation('createWebhook')), wrap(async (req, res) => {
    if (!wh) throw unavailable();
    const p = res.locals.principal!;
    const body = req.body as { tenantScene: string; callbackUrl: string; eventFilter?: string[]; secretId?: string };
    if (!canManage(p, body.tenantScene)) {
      auditDenial(deps, req, res, 'scene_not_granted', 403, { tenantScene: body.tenantScene });
      throw problem(ERROR_CODES.sceneNotGranted, 403, 'the token does not grant this scene');
    }
    const out = await withTransaction(pool, async (c) => {
      const r = await createSubscription(c, { ...body, createdBy: p.subject }, wh);
      return r;
    }, { scene: body.tenantScene });
    res.status(201).json({ subscriptionId: out.subscription.subscriptionId, ...(out.secret ? { secret: out.secret } : {}) });
  }));

  router.get('/v1/webhooks', validateRequest(deps, openapi.operation('listWebhooks')), wrap(async (req, res) => {
    const p = res.locals.principal!;
    const q = res.locals.query as { scene?: string; limit?: number; cursor?: string };
    if (q.scene && !canManage(p, q.scene)) {
      auditDenial(deps, req, res, 'scene_not_granted', 403, { tenantScene: q.scene });
      throw problem(ERROR_CODES.sceneNotGranted, 403, 'the token does not grant this scene');
    }
    const scenes = q.scene ? [q.scene] : scenesToSearch(p, undefined).filter((s) => canManage(p, s) && SCENE_PATTERN.test(s));
    const limit = clampLimit(q.limit, 50);
    const cursor = toLibCursor(q.cursor);
    const pages = await Promise.all(scenes.map((scene) =>
      withTransaction(pool, (c) => listSubscriptions(c, scene, { limit: limit + 1, ...(cursor ? { cursor } : {}) }), { scene, readOnly: true })));
    // Merged newest first across scenes; the cursor is one (time, id) position valid for every scene.
    const all = pages.flatMap((pg) => pg.items)
      .sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt) || (a.subscriptionId < b.subscriptionId ? 1 : -1));
    const items = all.slice(0, limit);
    const last = items[items.length - 1];
    res.json({ items: items.map(view), nextCursor: all.length > limit && last ? `${Date.parse(last.createdAt)}_${last.subscriptionId}` : null });
  }));

  router.get('/v1/webhooks/:subscriptionId', validateRequest(deps, openapi.operation('getWebhook')), wrap(async (req, res) => {
    const { subscriptionId } = res.locals.params as { subscriptionId: string };
    const { sub } = await locate(req, res, subscriptionId);
    res.json(view(sub));
  }));

  router.delete('/v1/webhooks/:subscriptionId', validateRequest(deps, openapi.operation('deleteWebhook')), wrap(async (req, res) => {
    const p = res.locals.principal!;
    const { subscriptionId } = res.locals.params as { subscriptionId: string };
    const { scene } = await locate(req, res, subscriptionId);
    const ctx = eventContext(deps, res);
    await withTransaction(pool, async (c) => {
      const r = await deleteSubscription(c, scene, subscriptionId, p.subject, ctx.now);
      await enqueueOutboxMany(c, [auditDataMessage(r.audit, ctx)]);
    }, { scene });
    res.status(204).end();
  }));

  router.post('/v1/webhooks/:subscriptionId/rotate-secret', validateRequest(deps, openapi.operation('rotateWebhookSecret')), wrap(async (req, res) => {
    if (!wh) throw unavailable();
    const p = res.locals.principal!;
    const { subscriptionId } = res.locals.params as { subscriptionId: string };
    const { scene } = await locate(req, res, subscriptionId);
    const ctx = eventContext(deps, res);
    const r = await withTransaction(pool, async (c) => {
      const out = await rotateSubscriptionSecret(c, scene, subscriptionId, { actor: p.subject }, wh);
      await enqueueOutboxMany(c, [auditDataMessage(out.audit, ctx)]);
      return out;
    }, { scene });
    res.json({ subscriptionId, secret: r.secret, previousSecretExpiresAt: r.previousSecretExpiresAt });
  }));

  /** Operator routes refuse everyone else in the scene with 403 (audited); outside the scene it stays a 404. */
  function requireOperator(req: Request, res: Response, scene: string): void {
    if (isOperator(res.locals.principal!, scene)) return;
    auditDenial(deps, req, res, 'operator_role_required', 403, { tenantScene: scene });
    throw problem(ERROR_CODES.forbidden, 403, 'replay needs the operator role of the scene');
  }

  router.get('/v1/webhooks/:subscriptionId/deliveries', validateRequest(deps, openapi.operation('listWebhookDeliveries')), wrap(async (req, res) => {
    const { subscriptionId } = res.locals.params as { subscriptionId: string };
    const q = res.locals.query as { status?: DeliveryView['status']; limit?: number };
    const { scene } = await locate(req, res, subscriptionId);
    const includeExcerpt = isOperator(res.locals.principal!, scene);
    const items = await withTransaction(pool, (c) =>
      listDeliveries(c, scene, subscriptionId, { limit: clampLimit(q.limit, 50), includeExcerpt, ...(q.status ? { status: q.status } : {}) }),
    { scene, readOnly: true });
    res.json({ items });
  }));

  router.post('/v1/webhooks/:subscriptionId/replay', validateRequest(deps, openapi.operation('replayWebhookDeadLetters')), wrap(async (req, res) => {
    const p = res.locals.principal!;
    const { subscriptionId } = res.locals.params as { subscriptionId: string };
    const body = req.body as { since: string; until: string };
    const { scene, sub } = await locate(req, res, subscriptionId);
    requireOperator(req, res, scene);
    if (sub.status !== 'active') throw problem(ERROR_CODES.endpointDisabled, 409, 'the subscription is disabled; its deliveries would fail at once');
    const ctx = eventContext(deps, res);
    const out = await withTransaction(pool, async (c) => {
      const r = await replayDeadDeliveries(c, scene, subscriptionId, { from: new Date(body.since), to: new Date(body.until) }, p.subject);
      await enqueueOutboxMany(c, [auditDataMessage(r.audit, ctx)]);
      return r;
    }, { scene });
    res.status(202).json({ subscriptionId, replayed: out.count });
  }));

  router.post('/v1/webhooks/deliveries/:deliveryId/replay', validateRequest(deps, openapi.operation('replayWebhookDelivery')), wrap(async (req, res) => {
    const p = res.locals.principal!;
    const { deliveryId } = res.locals.params as { deliveryId: string };
    const ctx = eventContext(deps, res);
    // The delivery's scene is not in the path: try each scene the caller operates; 404 when none holds it.
    const scenes = scenesToSearch(p, req.get('x-tenant-scene') ?? undefined).filter((s) => SCENE_PATTERN.test(s) && isOperator(p, s));
    for (const scene of scenes) {
      try {
        await withTransaction(pool, async (c) => {
          const r = await replayDelivery(c, scene, deliveryId, p.subject);
          const sub = await c.query<{ status: string }>(
            `SELECT s.status FROM webhook_deliveries d JOIN webhook_subscriptions s ON s.subscription_id = d.subscription_id
              WHERE d.delivery_id = $1`, [deliveryId]);
          if (sub.rows[0] && sub.rows[0].status !== 'active') {
            throw problem(ERROR_CODES.endpointDisabled, 409, 'the subscription is disabled; the delivery would fail at once');
          }
          await enqueueOutboxMany(c, [auditDataMessage(r.audit, ctx)]);
        }, { scene });
        res.status(202).json({ deliveryId, status: 'pending' });
        return;
      } catch (err) {
        if (!(isDphError(err) && err.status === 404)) throw err;
      }
    }
    if (scenes.length === 0 && scenesToSearch(p, undefined).some((s) => canManage(p, s))) {
      auditDenial(deps, req, res, 'operator_role_required', 403);
      throw problem(ERROR_CODES.forbidden, 403, 'replay needs the operator role of the scene');
    }
    throw problem(ERROR_CODES.notFound, 404, 'delivery not found');
  }));
}
