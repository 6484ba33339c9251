/** The demo's reusable parts, for the end-to-end tests and benchmarks (deploy/e2e, bench/e2e). */
export { ApiClient, ApiError } from './api-client.js';
export type { ApiClientOptions } from './api-client.js';
export { startReceiver } from './receiver.js';
export type { Receiver, ReceivedEvent } from './receiver.js';
export { startSampleServer } from './sample-server.js';
export { loadSamples } from './samples.js';
export type { Sample } from './samples.js';
/** The FormData class the client's fetch understands (a FormData from another undici copy would be sent as text). */
export { FormData } from 'undici';
