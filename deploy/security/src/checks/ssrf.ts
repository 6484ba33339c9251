/**
 * The SSRF address table against a second API process of the running mesh, started with the egress allowlist
 * empty (the local stack's own API opens loopback on purpose for local webhooks). Every target resolves to this
 * machine or names a metadata host, so even a guard failure could send nothing off the machine.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { devAccessToken, serviceEnv, stackPaths } from '@dph/testkit';
import type { CheckResult } from '../check.js';
import { call } from '../http.js';

export const SSRF_TARGETS = [
  'https://127.0.0.1/doc.pdf',
  'https://127.1/doc.pdf',
  'https://0x7f.1/doc.pdf',
  'https://2130706433/doc.pdf',
  'https://0177.0.0.1/doc.pdf',
  'https://017700000001/doc.pdf',
  'https://[::1]/doc.pdf',
  'https://[::ffff:127.0.0.1]/doc.pdf',
  'https://[::ffff:7f00:1]/doc.pdf',
  'https://[::127.0.0.1]/doc.pdf',
  'https://[64:ff9b::7f00:1]/doc.pdf',
  'https://0.0.0.0/doc.pdf',
  'https://[::]/doc.pdf',
  'https://localhost/doc.pdf',
  'https://metadata.google.internal/computeMetadata/v1/',
  'https://user:pass@127.0.0.1/doc.pdf',
];

const PORT = 58095;

async function startGuardedApi(root: string): Promise<ChildProcess> {
  const env = {
    ...process.env,
    ...serviceEnv('orchestrator-api'),
    DPH_HTTP_HOST: '127.0.0.1',
    DPH_HTTP_PORT: String(PORT),
    DPH_SERVICE_INSTANCE: 'security-suite-api',
    DPH_API_TLS_CERT_FILE: join(stackPaths().dir, 'tls', 'server.crt'),
    DPH_API_TLS_KEY_FILE: join(stackPaths().dir, 'tls', 'server.key'),
    DPH_EGRESS_ALLOW_CIDRS: '',
  };
  const child = spawn(process.execPath, ['--conditions=development', '--import', 'tsx', join(root, 'services/orchestrator-api/src/main.ts')], {
    env,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the guarded API exited with ${child.exitCode}`);
    try {
      const r = await call('GET', '/readyz', { base: `https://127.0.0.1:${PORT}` });
      if (r.status === 200) return child;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) throw new Error('the guarded API did not become ready in 60 s');
    await new Promise((r) => setTimeout(r, 500));
  }
}

export async function ssrfChecks(root: string): Promise<CheckResult[]> {
  const child = await startGuardedApi(root);
  const base = `https://127.0.0.1:${PORT}`;
  const token = await devAccessToken('alice');
  const out: CheckResult[] = [];
  try {
    for (const url of SSRF_TARGETS) {
      const src = await call('POST', '/v1/jobs', {
        base, token, scene: 'credit',
        json: { business_ref: 'ssrf-probe', source: { type: 'presigned_url', url_or_ref: url } },
      });
      const srcOk = src.status >= 400 && src.status < 500 && ['egress_denied', 'validation_failed'].includes(String(src.body.error));
      out.push({ name: `ssrf: presigned_url ${url}`, ok: srcOk, detail: `${src.status} ${String(src.body.error)}` });
      const hook = await call('POST', '/v1/webhooks', {
        base, token, scene: 'credit',
        json: { tenantScene: 'credit', callbackUrl: url.replace('/doc.pdf', '/hook'), eventFilter: ['job.*'] },
      });
      const hookOk = hook.status >= 400 && hook.status < 500 && ['egress_denied', 'validation_failed'].includes(String(hook.body.error));
      out.push({ name: `ssrf: webhook ${url}`, ok: hookOk, detail: `${hook.status} ${String(hook.body.error)}` });
      const leaks = JSON.stringify([src.body, hook.body]).match(/127\.0\.0\.1|::1|0x7f|2130706433/);
      if (leaks) out.push({ name: `ssrf: refusal of ${url} names no internal address`, ok: false, detail: `problem body echoes ${leaks[0]}` });
    }
  } finally {
    child.kill('SIGTERM');
  }
  return out;
}
