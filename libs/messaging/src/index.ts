export { connectAmqp, assertAmqps, tlsSocketOptions, amqpReadinessCheck, amqpOptionsFromConfig } from './connection.js';
export type { AmqpConnection, AmqpConnectOptions, ChannelSource } from './connection.js';
export {
  declareTopology, declareQueue, declareParseZone, bandQueues, quorumArguments, SERVICE_QUEUES,
  DEFAULT_DELIVERY_LIMIT,
} from './topology.js';
export type { Binding, QueueOptions } from './topology.js';
export {
  makeEvent, parseEvent, parseEvents, encodeEvent, encodeEventBatch, isEventBatch, toOutgoing, CLOUDEVENTS_CONTENT_TYPE,
  CLOUDEVENTS_BATCH_CONTENT_TYPE, MAX_BATCH_EVENTS,
} from './envelope.js';
export type { MakeEventInput } from './envelope.js';
export { ConfirmPublisher } from './publisher.js';
export type { ConfirmPublisherOptions } from './publisher.js';
export { consume } from './consumer.js';
export type { Consumer, ConsumeOptions, ConsumerState } from './consumer.js';
export { consumeBands } from './bands.js';
export type { BandConsumer, BandConsumeOptions } from './bands.js';
export { handleDelivery, defaultRetryDelay } from './delivery.js';
export type { DeliveryContext, Handler, Outcome, DeliveryOptions } from './delivery.js';
export { MemoryDeduper } from './dedupe.js';
export type { Deduper } from './dedupe.js';
export { MalformedEventError, MESSAGING_ERRORS, nullLogger } from './errors.js';
export type { MessagingLogger } from './errors.js';
export { deliveryMetrics, DELIVERY_OUTCOMES } from './metrics.js';
