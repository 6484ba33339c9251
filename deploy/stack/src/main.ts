/**
 * `npm run stack -- up | down | status [--json] | restart <component>`: the local TLS stack without Docker.
 * See docs/local-stack.md.
 */
import { isDphError } from '@dph/errors';
import { StackError } from './errors.js';
import { step } from './log.js';
import { withLock } from './lock.js';
import { paths } from './paths.js';
import { isRoot } from './proc.js';
import { rabbitmqctl } from './rabbitmq.js';
import { loadSettings } from './settings.js';
import { allReady, down, readyLine, resetDatabase, restart, status, up } from './stack.js';
import type { ComponentName } from './settings.js';
import { chmodSync, mkdirSync } from 'node:fs';

const USAGE = 'usage: npm run stack -- up [--quiet-if-ready] | down | status [--json] | restart <component|services> | reset-db | rabbitmqctl <args>';

// The AWS SDK warns about Node 20 on every run; the repo pins Node 20 on purpose (see docs/local-stack.md).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  const flags = new Set(rest.filter((a) => a.startsWith('--')));
  const args = rest.filter((a) => !a.startsWith('--'));
  const s = loadSettings();
  mkdirSync(paths.dph, { recursive: true, mode: 0o755 });
  // The daemons run as their own users (postgres, rabbitmq, redis) and must be able to enter the stack folder.
  if (cmd !== 'status' && isRoot) chmodSync(paths.dph, 0o755);
  switch (cmd) {
    case 'up': {
      if (flags.has('--quiet-if-ready') && allReady()) {
        console.log(`[stack] already up — API https://${s.host}:${s.servicePorts['orchestrator-api']}, env ${paths.envFile}`);
        return 0;
      }
      const outcomes = await withLock(() => up(s));
      const failed = outcomes.filter((o) => !o.ok);
      if (failed.length > 0) {
        for (const f of failed) console.error(`[stack] ${f.name}: FAILED — ${f.detail}`);
        console.error(`[stack] infrastructure is up, but ${failed.length} service(s) failed; fix them and run \`npm run stack -- restart <service>\``);
        return 1;
      }
      console.log(readyLine(s));
      return 0;
    }
    case 'down': {
      await withLock(() => down(s));
      step('stopped (data kept under .dph/)');
      return 0;
    }
    case 'status': {
      const st = await status(s);
      if (flags.has('--json')) {
        console.log(JSON.stringify(st));
        return 0;
      }
      console.log('component            state     pid      port   ');
      for (const [name, c] of Object.entries(st.components)) {
        const state = c.state === 'running' && c.ready === false ? 'starting' : c.state;
        console.log(`${name.padEnd(20)} ${state.padEnd(9)} ${String(c.pid ?? '-').padEnd(8)} ${c.port}`);
      }
      console.log(`API ${st.apiUrl}   CA ${st.caFile}   env ${st.envFile}`);
      return st.ready ? 0 : 3;
    }
    case 'restart': {
      const target = args[0];
      if (!target) throw new StackError('stack_usage', 'restart needs a component name', USAGE);
      const targets: ComponentName[] = target === 'services'
        ? ['orchestrator-api', 'worker-postproc', 'webhook-dispatcher', 'audit-writer']
        : [target as ComponentName];
      let code = 0;
      await withLock(async () => {
        for (const t of targets) {
          const o = await restart(t, s);
          if (o && !o.ok) {
            console.error(`[stack] ${o.name}: FAILED — ${o.detail}`);
            code = 1;
          }
        }
      });
      if (code === 0) step(`restarted ${target}`);
      return code;
    }
    case 'rabbitmqctl':
      return rabbitmqctl(s, rest);
    case 'reset-db': {
      await withLock(() => resetDatabase(s));
      step('database recreated and migrated; restart services that hold connections: npm run stack -- restart services');
      return 0;
    }
    default:
      console.error(USAGE);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (isDphError(err)) {
      console.error(`[stack] error (${err.code}): ${err.message}`);
      if (err instanceof StackError && err.hint) console.error(`[stack] hint: ${err.hint}`);
    } else {
      const e = err as NodeJS.ErrnoException;
      console.error(`[stack] unexpected error: ${e?.code ? `${e.code} ` : ''}${e?.message ?? String(err)}`);
    }
    process.exit(1);
  },
);
