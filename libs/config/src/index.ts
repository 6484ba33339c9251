export { loadConfig, loadConfigOrExit, configOrExit, ConfigErrors } from './load.js';
export type { Env, ConfigIssue, ExitOptions } from './load.js';
export { str, secret, int, port, oneOf, bool, duration, csv, url, readableFile } from './fields.js';
export {
  commonEnv,
  tlsEnv,
  postgresEnv,
  amqpEnv,
  redisEnv,
  s3Env,
  DPH_ENVS,
  LOG_LEVELS,
} from './fragments.js';
export type { DphEnv } from './fragments.js';
export { z } from 'zod';
