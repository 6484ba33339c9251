/** The demo's reusable parts (the API client and sample server now live in @dph/testkit). */
export { startReceiver } from './receiver.js';
export type { Receiver, ReceivedEvent } from './receiver.js';
export { loadSamples } from './samples.js';
export type { Sample } from './samples.js';
