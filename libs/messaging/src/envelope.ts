/** CloudEvents 1.0 in structured JSON mode (DESIGN §2), with the W3C traceparent in the AMQP headers. */
import { v7 as uuidv7 } from 'uuid';
import type { CloudEvent, OutgoingMessage } from '@dph/contracts';
import { traceHeaders } from '@dph/telemetry';
import { MalformedEventError } from './errors.js';

export const CLOUDEVENTS_CONTENT_TYPE = 'application/cloudevents+json';

export interface MakeEventInput<T> {
  type: string;
  source: string;
  subject?: string | undefined;
  data: T;
  /** Defaults to a fresh UUIDv7 (time-ordered, so ids sort by creation). */
  id?: string;
  time?: Date | string;
}

export function makeEvent<T>(input: MakeEventInput<T>): CloudEvent<T> {
  const time = input.time instanceof Date ? input.time.toISOString() : (input.time ?? new Date().toISOString());
  return {
    specversion: '1.0',
    id: input.id ?? uuidv7(),
    source: input.source,
    type: input.type,
    time,
    ...(input.subject !== undefined ? { subject: input.subject } : {}),
    datacontenttype: 'application/json',
    data: input.data,
  };
}

export function encodeEvent(event: CloudEvent): Buffer {
  return Buffer.from(JSON.stringify(event), 'utf8');
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
const nonEmpty = (v: unknown): v is string => typeof v === 'string' && v.length > 0;

function parseJson(body: Buffer | string): unknown {
  try {
    return JSON.parse(typeof body === 'string' ? body : body.toString('utf8'));
  } catch {
    throw new MalformedEventError('body is not JSON');
  }
}

/** Parses and validates a structured-mode CloudEvent; throws MalformedEventError (unretryable) otherwise. */
export function parseEvent<T = unknown>(body: Buffer | string): CloudEvent<T> {
  return checkEvent<T>(parseJson(body));
}

/**
 * CloudEvents' JSON batch format: a JSON array of structured-mode events in one message. Used where one producer
 * emits many small events of one type at once (the dispatcher's webhook_delivered audit events): one message,
 * one broker round trip and one consensus write for the batch instead of one each.
 */
export const CLOUDEVENTS_BATCH_CONTENT_TYPE = 'application/cloudevents-batch+json';
export const MAX_BATCH_EVENTS = 1_000;

export function encodeEventBatch(events: readonly CloudEvent[]): Buffer {
  if (events.length === 0 || events.length > MAX_BATCH_EVENTS) throw new RangeError(`a batch holds 1 to ${MAX_BATCH_EVENTS} events`);
  return Buffer.from(JSON.stringify(events), 'utf8');
}

/** True for a body in the batch format (its first non-blank byte opens a JSON array). */
export function isEventBatch(body: Buffer): boolean {
  for (const b of body) {
    if (b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09) continue;
    return b === 0x5b;
  }
  return false;
}

/**
 * The events of a message: one for a structured-mode body, each of a batch otherwise. Every event is checked;
 * one malformed event makes the whole message malformed (it is dead-lettered whole, never half-applied).
 */
export function parseEvents<T = unknown>(body: Buffer): CloudEvent<T>[] {
  const raw = parseJson(body);
  if (!Array.isArray(raw)) return [checkEvent<T>(raw)];
  if (raw.length === 0 || raw.length > MAX_BATCH_EVENTS) throw new MalformedEventError(`a batch holds 1 to ${MAX_BATCH_EVENTS} events`);
  return raw.map((e) => checkEvent<T>(e));
}

function checkEvent<T>(raw: unknown): CloudEvent<T> {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new MalformedEventError('body is not an object');
  const e = raw as Record<string, unknown>;
  if (e.specversion !== '1.0') throw new MalformedEventError('specversion must be 1.0');
  for (const attr of ['id', 'source', 'type'] as const) {
    if (!nonEmpty(e[attr])) throw new MalformedEventError(`${attr} is required`);
  }
  if (!nonEmpty(e.time) || !RFC3339.test(e.time) || Number.isNaN(Date.parse(e.time))) {
    throw new MalformedEventError('time must be an RFC 3339 timestamp');
  }
  if (e.subject !== undefined && typeof e.subject !== 'string') throw new MalformedEventError('subject must be a string');
  if (e.datacontenttype !== undefined && e.datacontenttype !== 'application/json') {
    throw new MalformedEventError('datacontenttype must be application/json');
  }
  if (!('data' in e)) throw new MalformedEventError('data is required');
  return e as unknown as CloudEvent<T>;
}

/**
 * The AMQP message for an event: body, message id = event id, and trace headers of the active context (a fresh
 * traceparent when none is active, so every message can be followed).
 */
export function toOutgoing(
  event: CloudEvent,
  route: { exchange: string; routingKey: string; mandatory?: boolean; headers?: Record<string, string> },
): OutgoingMessage {
  return {
    exchange: route.exchange,
    routingKey: route.routingKey,
    body: encodeEvent(event),
    headers: { ...traceHeaders(), ...route.headers },
    messageId: event.id,
    ...(route.mandatory ? { mandatory: true } : {}),
  };
}
