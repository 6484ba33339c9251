import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { DphError } from '@dph/errors';
import { caCert } from './clients.js';
import { stackEnv } from './stack-env.js';

/** Demo identities of the development IdP (deploy/idp): alice, bob (submitters), olivia (operator), victor (auditor). */
export type DevIdentity = 'alice' | 'bob' | 'olivia' | 'victor';

/** The development IdP the stack started: issuer, token audience (the API) and where it keeps client secrets. */
export function oidcSettings(): { issuer: string; audience: string; stateDir: string } {
  const e = stackEnv();
  if (!e.DPH_OIDC_ISSUER || !e.DPH_OIDC_AUDIENCE || !e.DPH_IDP_STATE_DIR) {
    throw new DphError('stack_not_running', 'the local stack runs no identity provider (deploy/idp): run `npm run stack -- up`', { status: 503 });
  }
  return { issuer: e.DPH_OIDC_ISSUER, audience: e.DPH_OIDC_AUDIENCE, stateDir: e.DPH_IDP_STATE_DIR };
}

/** A real signed access token for one demo identity (client_credentials against the stack's IdP, over TLS). */
export async function devAccessToken(identity: DevIdentity): Promise<string> {
  const o = oidcSettings();
  const clients = JSON.parse(readFileSync(join(o.stateDir, 'clients.json'), 'utf8')) as Array<{ id: string; secret: string }>;
  const c = clients.find((x) => x.id === identity);
  if (!c) throw new DphError('invalid_argument', `unknown development identity ${identity}`, { status: 400 });
  const body = new URLSearchParams({ grant_type: 'client_credentials', scope: 'jobs', resource: o.audience }).toString();
  const res = await new Promise<{ status: number; text: string }>((resolve, reject) => {
    const req = request(`${o.issuer}/token`, {
      method: 'POST',
      ca: caCert(),
      headers: {
        authorization: `Basic ${Buffer.from(`${encodeURIComponent(c.id)}:${encodeURIComponent(c.secret)}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
        'content-length': Buffer.byteLength(body),
      },
    }, (r) => {
      let text = '';
      r.on('data', (d: Buffer) => (text += d.toString()));
      r.on('end', () => resolve({ status: r.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.end(body);
  });
  const parsed = JSON.parse(res.text || '{}') as { access_token?: string; error?: string };
  if (res.status !== 200 || !parsed.access_token) {
    throw new DphError('token_request_failed', `the development IdP refused a token for ${identity} (${res.status} ${parsed.error ?? ''})`, { status: 502 });
  }
  return parsed.access_token;
}
