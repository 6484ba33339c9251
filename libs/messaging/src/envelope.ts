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

/** Parses and validates a structured-mode CloudEvent; throws MalformedEventError (unretryable) otherwise. */
export function parseEvent<T = unknown>(body: Buffer | string): CloudEvent<T> {
  let raw: unknown;
  try {
    raw = JSON.parse(typeof body === 'string' ? body : body.toString('utf8'));
  } catch {
    throw new MalformedEventError('body is not JSON');
  }
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
