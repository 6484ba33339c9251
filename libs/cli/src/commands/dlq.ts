import type { Command } from 'commander';
import type { Channel, GetMessage } from 'amqplib';
import { AUDIT_EVENT_TYPES, EXCHANGES, auditRoutingKey, dlqName, type AuditEventData } from '@dph/contracts';
import { ConfirmPublisher, connectAmqp, makeEvent, toOutgoing, type AmqpConnection } from '@dph/messaging';
import type { CliCommand, CliIo } from './types.js';

/**
 * `dph dlq peek|replay|discard <queue>`: operator tools for a queue's dead-letter queue (`<queue>.dlq`).
 * They show and act on envelope metadata only (event id, type, subject, death reason): bodies are never printed,
 * and every replay or discard is itself an audit event (dlq_replayed / dlq_discarded) naming the operator.
 */
interface DlqOpts {
  limit: string;
  eventId?: string;
  actor?: string;
  all?: boolean;
}

interface Death {
  reason?: string;
  count?: number;
  exchange?: string;
  'routing-keys'?: string[];
  queue?: string;
}

function envelopeOf(content: Buffer): { type: string; subject: string } {
  try {
    const parsed = JSON.parse(content.toString('utf8')) as unknown;
    // A batch message (CloudEvents JSON batch format): the first event's type and the count; no single subject.
    if (Array.isArray(parsed)) return { type: `${String((parsed[0] as { type?: string } | undefined)?.type ?? '')} (batch of ${parsed.length})`, subject: '' };
    const ev = parsed as { type?: string; subject?: string };
    return { type: String(ev.type ?? ''), subject: String(ev.subject ?? '') };
  } catch {
    return { type: '(not a CloudEvent)', subject: '' };
  }
}

function describe(m: GetMessage): { eventId: string; type: string; subject: string; reason: string; count: number; exchange: string; routingKey: string } {
  const deaths = (m.properties.headers?.['x-death'] as Death[] | undefined) ?? [];
  const first = deaths[deaths.length - 1] ?? {};
  const { type, subject } = envelopeOf(m.content);
  return {
    eventId: String(m.properties.messageId ?? ''),
    type,
    subject,
    reason: String(first.reason ?? m.properties.headers?.['x-first-death-reason'] ?? ''),
    count: deaths.reduce((n, d) => n + Number(d.count ?? 0), 0),
    exchange: String(first.exchange ?? m.properties.headers?.['x-first-death-exchange'] ?? ''),
    routingKey: String(first['routing-keys']?.[0] ?? m.fields.routingKey),
  };
}

async function withBroker<T>(io: CliIo, fn: (ch: Channel, conn: AmqpConnection) => Promise<T>): Promise<T> {
  const url = io.env.DPH_AMQP_URL;
  const caFile = io.env.DPH_TLS_CA_FILE;
  if (!url || !caFile) throw new Error('DPH_AMQP_URL and DPH_TLS_CA_FILE must be set (e.g. `set -a; . .dph/stack.env; set +a`)');
  const conn = await connectAmqp({ url, caFile, clientCertFile: io.env.DPH_TLS_CLIENT_CERT_FILE, clientKeyFile: io.env.DPH_TLS_CLIENT_KEY_FILE, connectionName: 'dph-cli-dlq' });
  const ch = await conn.createChannel();
  try {
    return await fn(ch, conn);
  } finally {
    await ch.close().catch(() => undefined);
    await conn.close().catch(() => undefined);
  }
}

async function audit(conn: AmqpConnection, eventType: (typeof AUDIT_EVENT_TYPES)[number], actor: string, payload: Record<string, unknown>): Promise<void> {
  const data: AuditEventData = { eventType, jobId: null, tenantScene: null, actor, payload, traceId: null, occurredAt: new Date().toISOString() };
  const event = makeEvent({ type: `dph.audit.${eventType}`, source: 'dph-cli', data });
  await new ConfirmPublisher(conn).publish(toOutgoing(event, { exchange: EXCHANGES.audit, routingKey: auditRoutingKey(eventType) }));
}

async function peek(queue: string, o: DlqOpts, io: CliIo): Promise<void> {
  await withBroker(io, async (ch) => {
    const seen: GetMessage[] = [];
    for (let i = 0; i < Number(o.limit); i++) {
      const m = await ch.get(dlqName(queue), { noAck: false });
      if (!m) break;
      seen.push(m);
      const d = describe(m);
      io.stdout.write(`${d.eventId}\t${d.type}\t${d.subject}\t${d.reason}\tdeaths=${d.count}\t${d.exchange}/${d.routingKey}\n`);
    }
    // Peeking must not consume: return everything in its order.
    ch.nackAll(true);
    io.stdout.write(`${seen.length} message(s) shown from ${dlqName(queue)}\n`);
  });
}

async function act(kind: 'replay' | 'discard', queue: string, o: DlqOpts, io: CliIo): Promise<void> {
  if (kind === 'discard' && !o.eventId && !o.all) throw new Error('discard needs --event-id ID or --all');
  const actor = o.actor ?? io.env.USER ?? 'operator';
  await withBroker(io, async (ch, conn) => {
    const publisher = new ConfirmPublisher(conn);
    const done: string[] = [];
    const skipped: GetMessage[] = [];
    for (let i = 0; i < Number(o.limit); i++) {
      const m = await ch.get(dlqName(queue), { noAck: false });
      if (!m) break;
      const d = describe(m);
      if (o.eventId && d.eventId !== o.eventId) {
        skipped.push(m);
        continue;
      }
      if (kind === 'replay') {
        // Back to where it was first published, so every binding sees it again; the original id keeps consumers idempotent.
        await publisher.publish({ exchange: d.exchange, routingKey: d.routingKey, body: m.content, headers: stringHeaders(m), messageId: d.eventId });
      }
      ch.ack(m);
      done.push(d.eventId);
      if (o.eventId) break;
    }
    for (const m of skipped) ch.nack(m, false, true);
    if (done.length > 0) await audit(conn, kind === 'replay' ? 'dlq_replayed' : 'dlq_discarded', actor, { kind: 'queue', queue, count: done.length, eventIds: done.slice(0, 100) });
    io.stdout.write(`${kind === 'replay' ? 'replayed' : 'discarded'} ${done.length} message(s) from ${dlqName(queue)}\n`);
    if (o.eventId && done.length === 0) io.setExitCode(1);
  });
}

function stringHeaders(m: GetMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(m.properties.headers ?? {})) if (typeof v === 'string' && !k.startsWith('x-')) out[k] = v;
  return out;
}

export const dlq: CliCommand = {
  group: 'dlq',
  register(group: Command, io: CliIo) {
    const fail = (err: unknown) => {
      io.stderr.write(`dph dlq: ${err instanceof Error ? err.message : String(err)}\n`);
      io.setExitCode(2);
    };
    group
      .command('peek <queue>')
      .description("show the dead letters of <queue> (metadata only) without removing them")
      .option('--limit <n>', 'at most this many', '20')
      .action((q: string, o: DlqOpts) => peek(q, o, io).catch(fail));
    group
      .command('replay <queue>')
      .description('publish dead letters of <queue> again to their original exchange and routing key (audited)')
      .option('--limit <n>', 'at most this many', '1000')
      .option('--event-id <id>', 'only this event')
      .option('--actor <name>', 'operator recorded in the audit event (default $USER)')
      .action((q: string, o: DlqOpts) => act('replay', q, o, io).catch(fail));
    group
      .command('discard <queue>')
      .description('drop dead letters of <queue> for good (audited); needs --event-id or --all')
      .option('--limit <n>', 'at most this many', '1000')
      .option('--event-id <id>', 'only this event')
      .option('--all', 'every dead letter up to --limit')
      .option('--actor <name>', 'operator recorded in the audit event (default $USER)')
      .action((q: string, o: DlqOpts) => act('discard', q, o, io).catch(fail));
  },
};
