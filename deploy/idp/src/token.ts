import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DevClient } from './clients.js';

/** Fetches a development access token for one identity (client_credentials with the API as resource). */
export async function fetchDevToken(opts: { issuer: string; audience: string; stateDir: string; client: string }): Promise<string> {
  const clients = JSON.parse(readFileSync(join(opts.stateDir, 'clients.json'), 'utf8')) as DevClient[];
  const c = clients.find((x) => x.id === opts.client);
  if (!c) throw new Error(`unknown identity "${opts.client}"; known: ${clients.map((x) => x.id).join(', ')}`);
  const res = await fetch(`${opts.issuer}/token`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${c.id}:${c.secret}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'jobs', resource: opts.audience }),
  });
  const body = (await res.json()) as { access_token?: string; error?: string; error_description?: string };
  if (!res.ok || !body.access_token) throw new Error(`the IdP refused a token for ${c.id}: ${res.status} ${body.error ?? ''} ${body.error_description ?? ''}`);
  return body.access_token;
}
