import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Repository root: deploy/stack/src → ../../.. */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** Everything the stack generates lives under one ignored folder so that `rm -rf .dph` is a full reset. */
export const DPH = process.env.DPH_STACK_DIR ? resolve(process.env.DPH_STACK_DIR) : join(ROOT, '.dph');

export const paths = {
  root: ROOT,
  dph: DPH,
  logs: join(DPH, 'logs'),
  run: join(DPH, 'run'),
  tls: join(DPH, 'tls'),
  caCert: join(DPH, 'tls', 'ca.crt'),
  caKey: join(DPH, 'tls', 'ca.key'),
  serverCert: join(DPH, 'tls', 'server.crt'),
  serverKey: join(DPH, 'tls', 'server.key'),
  clientCert: join(DPH, 'tls', 'client.crt'),
  clientKey: join(DPH, 'tls', 'client.key'),
  secrets: join(DPH, 'secrets.json'),
  state: join(DPH, 'state.json'),
  envFile: join(DPH, 'stack.env'),
  pg: join(DPH, 'postgres'),
  rabbit: join(DPH, 'rabbitmq'),
  redis: join(DPH, 'redis'),
  minio: join(DPH, 'minio'),
} as const;
