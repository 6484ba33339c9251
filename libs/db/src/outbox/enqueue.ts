/**
 * Writing to the transactional outbox: the row goes in the caller's transaction, beside the change it announces,
 * so the message exists if and only if the change committed. The NOTIFY is delivered at commit (and folded with
 * others of the same transaction), waking the writing process's relay without waiting for its poll (relays of
 * other processes ignore it: see OutboxRelayOptions.wakeOn).
 */
import type { Queryable } from '../query.js';

export const OUTBOX_CHANNEL = 'dph_outbox';

export interface OutboxMessage {
  /** The CloudEvent id: also the AMQP message-id and the dedupe key of consumers. */
  eventId: string;
  exchange: string;
  routingKey: string;
  /** The serialized CloudEvent (structured JSON mode), or an object serialized here as JSON. */
  body: Buffer | Record<string, unknown>;
  headers?: Record<string, string>;
  mandatory?: boolean;
}

function bodyBuffer(body: OutboxMessage['body']): Buffer {
  return Buffer.isBuffer(body) ? body : Buffer.from(JSON.stringify(body));
}

export async function enqueueOutbox(client: Queryable, message: OutboxMessage): Promise<void> {
  await enqueueOutboxMany(client, [message]);
}

/**
 * The outbox columns of `messages` as six parallel arrays (event ids, exchanges, routing keys, bodies, headers as
 * JSON text, mandatory flags), for an `unnest($1::uuid[], $2::text[], $3::text[], $4::bytea[], $5::jsonb[],
 * $6::boolean[])` insert, or for a database function taking them (one statement doing more than the insert).
 */
export function outboxColumns(messages: readonly OutboxMessage[]): [string[], string[], string[], Buffer[], string[], boolean[]] {
  return [
    messages.map((m) => m.eventId),
    messages.map((m) => m.exchange),
    messages.map((m) => m.routingKey),
    messages.map((m) => bodyBuffer(m.body)),
    messages.map((m) => JSON.stringify(m.headers ?? {})),
    messages.map((m) => m.mandatory ?? false),
  ];
}

/** One round trip for any number of messages (unnest over parallel arrays). */
export async function enqueueOutboxMany(client: Queryable, messages: readonly OutboxMessage[]): Promise<void> {
  if (messages.length === 0) return;
  await client.query(
    `INSERT INTO public.outbox (event_id, exchange, routing_key, body, headers, mandatory)
     SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::bytea[], $5::jsonb[], $6::boolean[])`,
    outboxColumns(messages),
  );
  await client.query(`SELECT pg_notify('${OUTBOX_CHANNEL}', '')`);
}
