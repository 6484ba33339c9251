/**
 * Load replicas. The benchmark measures the mesh, not the rate limiter: the stack's API allows 1,200
 * requests/min per subject and 12,000 per scene, below the rates under test, so the load goes through one more
 * orchestrator-api replica (same database, broker, Redis and certificates, as a second replica would be deployed)
 * whose only difference is raised limits. Likewise a webhook-dispatcher replica scoped to the benchmark's scene
 * (DPH_WEBHOOK_ONLY_SCENE), so deliveries queued by other suites for other scenes do not stand in front of it.
 * The stack's own services keep running untouched.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { Agent, fetch } from 'undici';
import { caCert, serviceEnv, stackPaths } from '@dph/testkit';
import { ROOT } from '@dph/e2e/src/index.js';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

export interface Replica {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

export async function startApiReplica(): Promise<Replica> {
  const tls = join(stackPaths().dir, 'tls');
  return startReplica('orchestrator-api', {
    DPH_API_TLS_CERT_FILE: join(tls, 'server.crt'),
    DPH_API_TLS_KEY_FILE: join(tls, 'server.key'),
    DPH_RATE_LIMIT_SUBJECT_PER_MIN: '10000000',
    DPH_RATE_LIMIT_SCENE_PER_MIN: '100000000',
  });
}

export function startDispatcherReplica(scene: string): Promise<Replica> {
  return startReplica('webhook-dispatcher', { DPH_WEBHOOK_ONLY_SCENE: scene });
}

async function startReplica(service: 'orchestrator-api' | 'webhook-dispatcher', extra: Record<string, string>): Promise<Replica> {
  const port = await freePort();
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? '/root',
    LANG: 'C.UTF-8',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    ...serviceEnv(service),
    DPH_SERVICE_INSTANCE: `${service}-bench`,
    DPH_HTTP_HOST: '127.0.0.1',
    DPH_HTTP_PORT: String(port),
    DPH_LOG_LEVEL: 'warn',
    ...extra,
  };
  const args = ['--conditions=development', '--import', 'tsx', join(ROOT, `services/${service}/src/main.ts`)];
  const child: ChildProcess = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'pipe'] });
  // A replica never outlives the benchmark, however it ends.
  process.once('exit', () => child.kill('SIGKILL'));
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
  const url = `${service === 'orchestrator-api' ? 'https' : 'http'}://127.0.0.1:${port}`;
  const agent = new Agent({ connect: { ca: caCert() } });
  const deadline = Date.now() + 60_000;
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`the benchmark ${service} replica exited: ${stderr}`);
      const ok = await fetch(`${url}/readyz`, { dispatcher: agent }).then((r) => r.status === 200, () => false);
      if (ok) break;
      if (Date.now() > deadline) throw new Error(`the benchmark ${service} replica was not ready in 60 s: ${stderr}`);
      await new Promise((r) => setTimeout(r, 300));
    }
  } finally {
    await agent.close();
  }
  return {
    url,
    pid: child.pid!,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 25_000).unref();
      }),
  };
}
