/**
 * Narrow I/O interfaces shared across libs, so that domain code and the outbox relay do not import a broker
 * client. Implementations live in @dph/messaging (AMQP) and @dph/db (Postgres).
 */
export interface OutgoingMessage {
  exchange: string;
  routingKey: string;
  /** Serialized CloudEvent (structured JSON mode). */
  body: Buffer;
  /** AMQP headers, e.g. traceparent. */
  headers: Record<string, string>;
  /** The CloudEvent id; also the AMQP message-id. */
  messageId: string;
  /** Publish as mandatory: an unroutable message is an error, not a silent drop. */
  mandatory?: boolean;
}

/** Resolves only after the broker has confirmed the message (publisher confirms); rejects otherwise. */
export interface ConfirmedPublisher {
  publish(message: OutgoingMessage): Promise<void>;
}
