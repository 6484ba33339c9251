// Connection loss against the stack's RabbitMQ: a local TCP relay sits between client and broker (TLS passes
// through it untouched), and cutting its sockets simulates a network failure.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer, connect as tcpConnect, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { EXCHANGES, dlqName } from '@dph/contracts';
import { requireStack, stackEnv } from '@dph/testkit';
import { ConfirmPublisher, connectAmqp, consume, declareQueue, makeEvent, toOutgoing } from '../src/index.js';

requireStack();
const env = stackEnv();

test('after a connection loss the connection recovers, the consumer re-subscribes and publishing works again', async () => {
  const broker = new URL(env.DPH_AMQP_URL!);
  const sockets = new Set<Socket>();
  const relay = createServer((client) => {
    const upstream = tcpConnect(Number(broker.port), broker.hostname);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => {});
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((r) => relay.listen(0, '127.0.0.1', r));
  const via = new URL(env.DPH_AMQP_URL!);
  via.port = String((relay.address() as AddressInfo).port);

  const tls = { caFile: env.DPH_TLS_CA_FILE!, clientCertFile: env.DPH_TLS_CLIENT_CERT_FILE, clientKeyFile: env.DPH_TLS_CLIENT_KEY_FILE };
  const conn = await connectAmqp({ ...tls, url: via.toString(), recovery: { initialDelay: 50, maxDelay: 500 } });
  const direct = await connectAmqp({ ...tls, url: env.DPH_AMQP_URL! });
  const admin = await direct.createChannel();
  const queue = `dph.test.${randomBytes(4).toString('hex')}.reconnect`;
  const key = `test.${queue}`;
  await declareQueue(admin, queue, [{ exchange: EXCHANGES.events, routingKey: key }]);

  const got: string[] = [];
  const consumer = await consume({ connection: conn, queue, prefetch: 1, handler: async (e) => { got.push(e.id); } });
  const publisher = new ConfirmPublisher(conn);
  let reconnected = 0;
  conn.on('connect', () => reconnected++);
  try {
    // The publisher's confirm channel exists before the cut, so the test covers re-opening it afterwards.
    const before = makeEvent({ type: 'dph.test', source: '/t', data: 0 });
    await publisher.publish(toOutgoing(before, { exchange: EXCHANGES.events, routingKey: key }));
    for (const s of sockets) s.destroy();
    const deadline = Date.now() + 15_000;
    while (!(reconnected > 0 && consumer.healthy())) {
      if (Date.now() > deadline) throw new Error('no recovery');
      await new Promise((r) => setTimeout(r, 50));
    }
    const event = makeEvent({ type: 'dph.test', source: '/t', data: 1 });
    await publisher.publish(toOutgoing(event, { exchange: EXCHANGES.events, routingKey: key }));
    while (!got.includes(event.id) || !got.includes(before.id)) {
      if (Date.now() > deadline) throw new Error('no delivery after recovery');
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal(reconnected, 1);
  } finally {
    await consumer.cancel();
    await publisher.close();
    await conn.close();
    await admin.deleteQueue(queue).catch(() => {});
    await admin.deleteQueue(dlqName(queue)).catch(() => {});
    await direct.close();
    relay.close();
  }
});
