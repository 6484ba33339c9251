import type nodeVault from 'node-vault';
import { DphError } from '@dph/errors';
import type { SecretVault } from './vault-kv.js';

export interface NodeVaultOptions {
  endpoint: string;
  token: string;
  /** KV v2 mount; `secret` by default. */
  mount?: string;
  ca?: string | Buffer;
}

/** SecretVault over node-vault against a KV v2 mount: data lives at `<mount>/data/<path>` as `{ secret }`. */
export function createNodeVault(opts: NodeVaultOptions): SecretVault {
  // node-vault (and the HTTP stack under it, ~20 MB resident) loads on the first Vault call, so a deployment
  // that keeps secrets in Postgres never pays for it.
  let clientP: Promise<ReturnType<typeof nodeVault>> | undefined;
  const vault = () =>
    (clientP ??= import('node-vault').then(({ default: create }) =>
      create({
        apiVersion: 'v1',
        endpoint: opts.endpoint,
        token: opts.token,
        ...(opts.ca ? { requestOptions: { ca: opts.ca } } : {}),
      } as Parameters<typeof nodeVault>[0]),
    ));
  const mount = opts.mount ?? 'secret';
  return {
    async read(path, version) {
      try {
        const res = await (await vault()).read(`${mount}/data/${path}${version ? `?version=${version}` : ''}`);
        const secret = res?.data?.data?.secret;
        if (typeof secret !== 'string') throw new Error('no secret field');
        return { secret, version: Number(res.data.metadata?.version ?? version ?? 1) };
      } catch (err) {
        throw new DphError('webhook_secret_unavailable', 'webhook secret could not be read from Vault', {
          status: 502,
          retryable: true,
          cause: err,
        });
      }
    },
    async write(path, secret) {
      try {
        const res = await (await vault()).write(`${mount}/data/${path}`, { data: { secret } });
        return Number(res?.data?.version ?? 1);
      } catch (err) {
        throw new DphError('webhook_secret_unavailable', 'webhook secret could not be written to Vault', {
          status: 502,
          retryable: true,
          cause: err,
        });
      }
    },
  };
}
