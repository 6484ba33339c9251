/**
 * The local stack's identity provider: `node --import tsx deploy/idp/src/main.ts` (the stack starts it).
 * HTTPS with the stack's certificate, state (keys, client secrets) under DPH_IDP_STATE_DIR.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:https';
import { loadOrCreateClients } from './clients.js';
import { loadOrCreateSigningKey } from './keys.js';
import { createProvider } from './provider.js';

function need(name: string): string {
  const v = process.env[name];
  if (!v) {
    console.error(`config error: ${name}: required`);
    process.exit(1);
  }
  return v;
}

const host = process.env.DPH_IDP_HOST ?? '127.0.0.1';
const port = Number(process.env.DPH_IDP_PORT ?? '58443');
const stateDir = need('DPH_IDP_STATE_DIR');
const audience = need('DPH_OIDC_AUDIENCE');
const issuer = process.env.DPH_OIDC_ISSUER ?? `https://${host}:${port}`;
mkdirSync(stateDir, { recursive: true, mode: 0o700 });

const handler = createProvider({
  issuer,
  audience,
  clients: loadOrCreateClients(stateDir),
  signingKey: await loadOrCreateSigningKey(stateDir),
  tokenTtlSec: Number(process.env.DPH_IDP_TOKEN_TTL_SEC ?? '3600'),
});
const server = createServer(
  { cert: readFileSync(need('DPH_IDP_TLS_CERT_FILE')), key: readFileSync(need('DPH_IDP_TLS_KEY_FILE')) },
  handler,
);
server.listen(port, host, () => console.log(JSON.stringify({ level: 'info', msg: 'dev identity provider ready', issuer })));
const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
