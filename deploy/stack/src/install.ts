import { existsSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { StackError } from './errors.js';
import { step } from './log.js';
import { isRoot, run, which } from './proc.js';

interface Need {
  pkg: string;
  present: () => boolean;
}

const NEEDS: Need[] = [
  { pkg: 'postgresql', present: () => existsSync('/usr/lib/postgresql') && readdirSync('/usr/lib/postgresql').some((v) => existsSync(`/usr/lib/postgresql/${v}/bin/initdb`)) },
  { pkg: 'rabbitmq-server', present: () => existsSync('/usr/lib/rabbitmq/bin/rabbitmq-server') },
  { pkg: 'redis-server', present: () => which('redis-server') !== undefined },
  { pkg: 'openssl', present: () => which('openssl') !== undefined },
];

/**
 * Installs the Debian packages the stack runs on, when missing. The packages' own system services are kept from
 * starting during the install (policy-rc.d): the stack runs private instances and wants the default ports free.
 */
export function ensurePackages(): void {
  const missing = NEEDS.filter((n) => !n.present()).map((n) => n.pkg);
  if (missing.length === 0) {
    step('packages: postgresql, rabbitmq-server, redis-server, openssl present');
    return;
  }
  if (!isRoot) {
    throw new StackError(
      'stack_missing_dependency',
      `missing Debian packages: ${missing.join(' ')}`,
      `install them first: sudo apt-get install -y ${missing.join(' ')}`,
    );
  }
  if (!which('apt-get')) throw new StackError('stack_missing_dependency', `missing packages ${missing.join(' ')} and no apt-get to install them`);
  step(`packages: installing ${missing.join(' ')} (apt-get) ...`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const policy = '/usr/sbin/policy-rc.d';
  const ownPolicy = !existsSync(policy);
  if (ownPolicy) writeFileSync(policy, '#!/bin/sh\nexit 101\n', { mode: 0o755 });
  try {
    run('apt-get', ['update', '-q'], { env, inherit: true });
    run('apt-get', ['install', '-y', '-q', '--no-install-recommends', ...missing], { env, inherit: true });
  } finally {
    if (ownPolicy) rmSync(policy, { force: true });
  }
}
