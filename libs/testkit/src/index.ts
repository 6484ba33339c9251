/**
 * @dph/testkit: the only way tests find the local stack (`npm run stack -- up`). Everything is read from
 * `.dph/stack.env`, which the stack writes (mode 600) on every `up`.
 */
// Tests run on the repo's pinned Node 20; the AWS SDK's notice about Node 22 would only clutter their output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

export { stackEnv, serviceEnv, requireStack, stackRunning, STACK_SERVICES } from './stack-env.js';
export type { StackService } from './stack-env.js';
export { caCert, pgClientConfig, pgAdminClientConfig, amqpUrl, amqpSocketOptions, redisUrl, redisTlsOptions, s3ConnectionOptions, apiUrl, stackPaths } from './clients.js';
export type { PgClientConfig, S3ConnectionSettings } from './clients.js';
export { devAccessToken, oidcSettings } from './tokens.js';
export type { DevIdentity } from './tokens.js';
export { ApiClient, ApiError } from './api-client.js';
export type { ApiClientOptions } from './api-client.js';
export { startSampleServer } from './sample-server.js';
export type { ServedDocument } from './sample-server.js';
/** The FormData class ApiClient's fetch understands (a FormData from another undici copy would be sent as text). */
export { FormData } from 'undici';
