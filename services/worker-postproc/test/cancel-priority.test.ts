import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { QUEUES } from '@dph/contracts';
import { createJob, deleteZone, enqueue, objectsOf, openStack, outboxEvents, publishRouted, runWorker, settings, waitForStatus, zoneName, type Stack } from './harness.js';
import type { RunningWorker } from '../src/worker.js';
import type { Stage } from '../src/domain/ports.js';
import * as fx from '@dph/parsing/testing';

let stack: Stack;
const workers: RunningWorker[] = [];
const zones: string[] = [];

before(async () => {
  stack = await openStack();
});
after(async () => {
  for (const w of workers) await w.stop();
  for (const z of zones) await deleteZone(stack, z);
  await stack?.close();
});

async function worker(over: Parameters<typeof settings>[2], onStage?: (stage: Stage, jobId: string) => void | Promise<void>) {
  const zone = zoneName('cp');
  zones.push(zone);
  const w = await runWorker(stack, settings(stack, zone, over), onStage);
  workers.push(w);
  return { zone, w };
}

const cancel = (jobId: string) => stack.admin.query(`UPDATE public.jobs SET status = 'cancelled', error_code = 'cancelled' WHERE job_id = $1`, [jobId]);

test('cancellation: a cancelled queued job is skipped; a running one stops at the next stage boundary; no objects remain', async () => {
  const seen: string[] = [];
  const cancelAt = new Map<string, Stage>();
  const { zone } = await worker({ concurrency: 1 }, async (stage, jobId) => {
    seen.push(`${jobId}:${stage}`);
    if (cancelAt.get(jobId) === stage) await cancel(jobId);
  });

  const queued = await createJob(stack, fx.md, { filename: 'a.md', status: 'cancelled' });
  await enqueue(stack, zone, queued.task);

  const whileFetching = await createJob(stack, fx.md, { filename: 'b.md' });
  cancelAt.set(whileFetching.jobId, 'fetched');
  await enqueue(stack, zone, whileFetching.task);

  const afterStoring = await createJob(stack, fx.md, { filename: 'c.md' });
  cancelAt.set(afterStoring.jobId, 'stored');
  await enqueue(stack, zone, afterStoring.task);

  const marker = await createJob(stack, fx.md, { filename: 'd.md' });
  await enqueue(stack, zone, marker.task);
  await waitForStatus(stack, marker.jobId, ['succeeded']);

  for (const j of [queued, whileFetching, afterStoring]) {
    const row = await waitForStatus(stack, j.jobId, ['cancelled', 'succeeded', 'failed']);
    assert.equal(row.status, 'cancelled');
    assert.deepEqual(await objectsOf(stack, j), [], 'no result objects for a cancelled job');
    assert.ok(!(await outboxEvents(stack, j.jobId)).some((e) => e.type === 'dph.job.succeeded'));
  }
  assert.ok(!seen.some((s) => s.startsWith(queued.jobId)), 'the cancelled queued job was never started');
  assert.ok(!seen.includes(`${whileFetching.jobId}:parsed`), 'stopped before parsing');
  assert.ok(seen.includes(`${afterStoring.jobId}:stored`), 'the late cancel came after the objects were written');
  assert.equal((await objectsOf(stack, marker)).length, 3);
});

test('priority: with a full backlog, high-priority jobs finish before normal, normal before low', async () => {
  const zone = zoneName('prio');
  zones.push(zone);
  // declare the zone's queues and fill them before any consumer runs
  const setup = await runWorker(stack, settings(stack, zone, { concurrency: 1 }));
  await setup.stop();
  const jobs: { id: string; priority: number }[] = [];
  for (const priority of [1, 2, 5, 3, 9, 4, 1, 8, 6, 7, 2, 9]) {
    const j = await createJob(stack, fx.md, { filename: 'p.md', priority });
    await enqueue(stack, zone, j.task);
    jobs.push({ id: j.jobId, priority });
  }
  const order: string[] = [];
  const w = await runWorker(stack, settings(stack, zone, { concurrency: 1 }), (stage, jobId) => {
    if (stage === 'done') order.push(jobId);
  });
  workers.push(w);
  for (const j of jobs) await waitForStatus(stack, j.id, ['succeeded']);
  const band = (p: number) => (p >= 7 ? 0 : p >= 4 ? 1 : 2);
  const bands = order.map((id) => band(jobs.find((j) => j.id === id)!.priority));
  assert.equal(order.length, jobs.length);
  assert.deepEqual(bands, [...bands].sort((a, b) => a - b), `completion order by band: ${bands.join(',')}`);
  assert.equal(bands[0], 0);
});

test('routing: a restricted-only zone receives restricted tasks and nothing else', async () => {
  const zone = zoneName('rx');
  zones.push(zone);
  const setup = await runWorker(stack, settings(stack, zone, { classifications: ['restricted'] }));
  await setup.stop();
  const restricted = await createJob(stack, fx.md, { filename: 'r.md', classification: 'restricted', priority: 5 });
  const internal = await createJob(stack, fx.md, { filename: 'i.md', classification: 'internal', priority: 5 });
  await publishRouted(stack, 'parse.restricted.normal', restricted.task);
  await publishRouted(stack, 'parse.internal.normal', internal.task);
  const ch = await stack.amqp.createChannel();
  const got: string[] = [];
  for (let i = 0; i < 40 && got.length < 2; i++) {
    const m = await ch.get(QUEUES.parse(zone, 'normal'), { noAck: false });
    if (m) {
      got.push((JSON.parse(m.content.toString()) as { subject: string }).subject);
      ch.nack(m, false, true);
      break;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  await ch.close();
  assert.deepEqual(got, [restricted.jobId]);
  const q = await (async () => {
    const c = await stack.amqp.createChannel();
    const r = await c.checkQueue(QUEUES.parse(zone, 'normal'));
    await c.close();
    return r.messageCount;
  })();
  assert.equal(q, 1, 'only the restricted task is in the restricted zone queue');
  const w = await runWorker(stack, settings(stack, zone, { classifications: ['restricted'] }));
  workers.push(w);
  assert.equal((await waitForStatus(stack, restricted.jobId, ['succeeded', 'failed'])).status, 'succeeded');
});
