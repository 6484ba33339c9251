// Unit test of the ack coalescing rule with a recording stand-in for the channel; broker-level behaviour (nothing
// left unacked, nothing redelivered) is in test/broker.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Message } from 'amqplib';
import { AckCoalescer } from './acks.js';

function setup() {
  const frames: string[] = [];
  const ch = {
    ack: (m: Message, multiple?: boolean) => void frames.push(`ack ${m.fields.deliveryTag}${multiple ? '+' : ''}`),
    nack: (m: Message, _all?: boolean, requeue?: boolean) => void frames.push(`nack ${m.fields.deliveryTag}${requeue ? ' requeue' : ''}`),
  };
  const acker = new AckCoalescer(ch);
  const msgs = new Map<number, Message>();
  const deliver = (...tags: number[]) => tags.forEach((t) => {
    const m = { fields: { deliveryTag: t } } as Message;
    msgs.set(t, m);
    acker.delivered(m);
  });
  const turn = () => new Promise((r) => setImmediate(r));
  return { frames, acker, deliver, msg: (t: number) => msgs.get(t)!, turn };
}

test('acks settled in one turn go out as one multiple-ack for the run', async () => {
  const { frames, acker, deliver, msg, turn } = setup();
  deliver(1, 2, 3, 4, 5);
  for (const t of [3, 1, 2, 5, 4]) acker.ack(msg(t));
  assert.deepEqual(frames, [], 'nothing is sent before the turn ends');
  await turn();
  assert.deepEqual(frames, ['ack 5+']);
});

test('a delivery still being handled is never covered: later ones are acked on their own, and the run resumes', async () => {
  const { frames, acker, deliver, msg, turn } = setup();
  deliver(1, 2, 3, 4);
  acker.ack(msg(1));
  acker.ack(msg(3));
  acker.ack(msg(4));
  await turn();
  assert.deepEqual(frames, ['ack 1', 'ack 3', 'ack 4']);
  deliver(5, 6);
  acker.ack(msg(5));
  acker.ack(msg(6));
  acker.ack(msg(2));
  await turn();
  // 2 is now the oldest open one; 3 and 4 were already acked and are not acked again.
  assert.deepEqual(frames.slice(3), ['ack 6+']);
});

test('a nack goes out at once, and a multiple-ack may pass over it', async () => {
  const { frames, acker, deliver, msg, turn } = setup();
  deliver(1, 2, 3);
  acker.ack(msg(1));
  acker.nack(msg(2), false, false);
  acker.ack(msg(3));
  assert.deepEqual(frames, ['nack 2']);
  await turn();
  assert.deepEqual(frames, ['nack 2', 'ack 3+']);
});

test('flush on demand (before a channel closes) sends what is waiting', () => {
  const { frames, acker, deliver, msg } = setup();
  deliver(7, 8);
  acker.ack(msg(7));
  acker.ack(msg(8));
  acker.flush();
  assert.deepEqual(frames, ['ack 8+']);
  acker.flush();
  assert.deepEqual(frames, ['ack 8+'], 'nothing is sent twice');
});
