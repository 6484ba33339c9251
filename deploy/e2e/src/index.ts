/** @dph/e2e: the pieces the end-to-end tests, the fault suite and the e2e benchmark share. */
export { clientFor } from './client.js';
export { startRecordingReceiver } from './receiver.js';
export type { Delivery, RecordingReceiver } from './receiver.js';
export { tapBroker, peekQueue } from './broker-tap.js';
export type { BrokerTap } from './broker-tap.js';
export { submitJob, stageInnerRef } from './submit.js';
export type { Accepted, SubmitDoc, SubmitVia } from './submit.js';
export { ROOT, SERVICES, BACKING, stackStatus, restartComponent, restartComponentAsync, stackStatusAsync, queueDepths, stackUp, rssMb, opsUrl } from './stack.js';
export type { Service, StackStatus, ComponentStatus } from './stack.js';
export { plantValues, leakForms, markdownDoc, htmlDoc, jsonDoc } from './pii-fixtures.js';
export type { Planted } from './pii-fixtures.js';
