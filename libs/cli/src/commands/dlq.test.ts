import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import amqp from 'amqplib';
import { amqpSocketOptions, amqpUrl, requireStack, stackEnv } from '@dph/testkit';
import { EXCHANGES, dlqName } from '@dph/contracts';
import { declareQueue } from '@dph/messaging';
import { runCli } from '../program.js';

// A private queue with its DLQ, and a private tap on dph.audit to see the CLI's own audit events.
const queue = `dph.test.cli-dlq.${randomUUID().slice(0, 8)}`;
const tap = `dph.test.cli-dlq-audit.${randomUUID().slice(0, 8)}`;
let conn: amqp.ChannelModel;
let ch: amqp.Channel;

before(async () => {
  requireStack();
  conn = await amqp.connect(amqpUrl(), amqpSocketOptions());
  ch = await conn.createChannel();
  await declareQueue(ch, queue, []);
  await ch.assertQueue(tap, { exclusive: true });
  await ch.bindQueue(tap, EXCHANGES.audit, 'audit.dlq_replayed');
  await ch.bindQueue(tap, EXCHANGES.audit, 'audit.dlq_discarded');
});
after(async () => {
  await ch?.deleteQueue(queue).catch(() => undefined);
  await ch?.deleteQueue(dlqName(queue)).catch(() => undefined);
  await conn?.close();
});

async function cli(...args: string[]): Promise<{ code: number; out: string }> {
  let out = '';
  const code = await runCli(['dlq', ...args], {
    stdin: process.stdin,
    stdout: { write: (s: string) => (out += s) },
    stderr: { write: (s: string) => (out += s) },
    env: { ...stackEnv() },
    setExitCode: () => undefined,
  });
  return { code, out };
}

/** Sends one event to the queue and rejects it, so the broker dead-letters it with an x-death record. */
async function deadLetter(eventId: string, batchOf = 0): Promise<void> {
  const event = (id: string) => ({ specversion: '1.0', id, source: 'test', type: 'dph.test', subject: 'job-1', time: new Date().toISOString(), data: { secretish: 'never printed' } });
  const body = Buffer.from(JSON.stringify(batchOf > 0 ? Array.from({ length: batchOf }, () => event(randomUUID())) : event(eventId)));
  ch.sendToQueue(queue, body, { messageId: eventId, persistent: true });
  for (;;) {
    const m = await ch.get(queue, { noAck: false });
    if (m) {
      ch.nack(m, false, false);
      break;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  for (let i = 0; i < 100 && (await ch.checkQueue(dlqName(queue))).messageCount === 0; i++) await new Promise((r) => setTimeout(r, 50));
}

async function auditTypes(): Promise<string[]> {
  const seen: string[] = [];
  for (let i = 0; i < 40; i++) {
    const m = await ch.get(tap, { noAck: true });
    if (m) seen.push(String((JSON.parse(m.content.toString()) as { type: string }).type));
    else if (seen.length) break;
    else await new Promise((r) => setTimeout(r, 100));
  }
  return seen;
}

test('peek shows metadata without consuming or printing bodies; replay returns the message to its queue and is audited', async () => {
  const id = randomUUID();
  await deadLetter(id);
  const peek = await cli('peek', queue);
  assert.equal(peek.code, 0);
  assert.match(peek.out, new RegExp(`${id}\\tdph.test\\tjob-1\\trejected`));
  assert.doesNotMatch(peek.out, /never printed/);
  // The returned message is ready again once the quorum queue has committed the requeue: wait, bounded.
  let ready = 0;
  for (let i = 0; i < 100 && (ready = (await ch.checkQueue(dlqName(queue))).messageCount) === 0; i++) await new Promise((r) => setTimeout(r, 50));
  assert.equal(ready, 1, 'peek must not consume');

  const replay = await cli('replay', queue, '--actor', 'ops-test');
  assert.match(replay.out, /replayed 1 message/);
  assert.equal((await ch.checkQueue(dlqName(queue))).messageCount, 0);
  const back = await ch.get(queue, { noAck: true });
  assert.ok(back, 'the message is back in its queue');
  assert.equal(back.properties.messageId, id);
  assert.deepEqual(await auditTypes(), ['dph.audit.dlq_replayed']);
});

test('peek names a batch message by its first type and count', async () => {
  const id = randomUUID();
  await deadLetter(id, 3);
  const peek = await cli('peek', queue);
  assert.match(peek.out, new RegExp(`${id}\\tdph.test \\(batch of 3\\)\\t\\trejected`));
  assert.doesNotMatch(peek.out, /never printed/);
  assert.match((await cli('discard', queue, '--event-id', id, '--actor', 'ops-test')).out, /discarded 1 message/);
  await auditTypes();
});

test('discard needs an explicit selection, drops only the named event, and is audited', async () => {
  const keep = randomUUID();
  const drop = randomUUID();
  await deadLetter(keep);
  await deadLetter(drop);
  const refused = await cli('discard', queue);
  assert.equal(refused.code, 2);
  const one = await cli('discard', queue, '--event-id', drop);
  assert.match(one.out, /discarded 1 message/, one.out);
  const left = await cli('peek', queue);
  assert.match(left.out, new RegExp(keep));
  assert.doesNotMatch(left.out, new RegExp(drop));
  assert.deepEqual(await auditTypes(), ['dph.audit.dlq_discarded']);
});
