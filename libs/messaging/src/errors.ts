import { DphError } from '@dph/errors';

/** Stable codes raised by the messaging layer (not API codes, so they live here rather than in contracts). */
export const MESSAGING_ERRORS = {
  plaintextRefused: 'amqp_plaintext_refused',
  malformedEvent: 'malformed_event',
  unroutable: 'message_unroutable',
  nacked: 'message_nacked',
  channelClosed: 'channel_closed',
  confirmTimeout: 'confirm_timeout',
} as const;

/** An envelope that is not a valid CloudEvent: redelivery cannot fix it, so it goes to the DLQ at once. */
export class MalformedEventError extends DphError {
  constructor(reason: string) {
    super(MESSAGING_ERRORS.malformedEvent, `malformed CloudEvent: ${reason}`, { status: 400, retryable: false });
    this.name = 'MalformedEventError';
  }
}

/** Minimal logger shape (pino-compatible) so the lib does not dictate a logger. */
export interface MessagingLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

const noop = () => {};
export const nullLogger: MessagingLogger = { debug: noop, info: noop, warn: noop, error: noop };
