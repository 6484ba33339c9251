import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect } from 'amqplib';
import { StackError, portTaken } from './errors.js';
import { chownTree, copyOwned, ensureDir, ownedFile, userIds } from './fsutil.js';
import { step } from './log.js';
import { paths } from './paths.js';
import { isRoot, pidAlive, portOpen, run, spawnDetached, stopPid, waitUntil } from './proc.js';
import type { Settings } from './settings.js';
import type { Secrets } from './state.js';

const OS_USER = 'rabbitmq';
const RABBIT_BIN = '/usr/lib/rabbitmq/bin';
const home = join(paths.rabbit, 'home');
const tlsDir = join(paths.rabbit, 'tls');
const pidFile = join(paths.rabbit, 'rabbit.pid');
const logBase = join(paths.logs, 'rabbitmq');
export const rabbitLog = join(paths.logs, 'rabbitmq-stdout.log');

/** The environment of our private node: its own name, config, data, logs, cookie, epmd and distribution port. */
export function rabbitEnv(s: Settings): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin',
    LANG: 'C.UTF-8',
    HOME: home,
    RABBITMQ_NODENAME: s.rabbitNode,
    RABBITMQ_CONFIG_FILE: join(paths.rabbit, 'rabbitmq.conf'),
    RABBITMQ_ADVANCED_CONFIG_FILE: join(paths.rabbit, 'advanced.config'),
    RABBITMQ_CONF_ENV_FILE: join(paths.rabbit, 'rabbitmq-env.conf'),
    RABBITMQ_MNESIA_BASE: join(paths.rabbit, 'mnesia'),
    RABBITMQ_LOG_BASE: logBase,
    RABBITMQ_ENABLED_PLUGINS_FILE: join(paths.rabbit, 'enabled_plugins'),
    RABBITMQ_PID_FILE: pidFile,
    RABBITMQ_DIST_PORT: String(s.rabbitDistPort),
    RABBITMQ_CTL_DIST_PORT_MIN: String(s.rabbitDistPort + 10),
    RABBITMQ_CTL_DIST_PORT_MAX: String(s.rabbitDistPort + 20),
    RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS: '-kernel inet_dist_use_interface {127,0,0,1}',
    ERL_EPMD_PORT: String(s.epmdPort),
    ERL_EPMD_ADDRESS: '127.0.0.1',
  };
}

export function rabbitPid(): number | undefined {
  try {
    const pid = Number(readFileSync(pidFile, 'utf8').trim());
    return pidAlive(pid) ? pid : undefined;
  } catch {
    return undefined;
  }
}

export function amqpUrl(s: Settings, secrets: Secrets, host = s.host): string {
  return `amqps://${s.amqpUser}:${secrets.amqpPassword}@${host}:${s.amqpPort}/${encodeURIComponent(s.amqpVhost)}`;
}

function writeConfig(s: Settings, secrets: Secrets): void {
  ensureDir(paths.rabbit, 0o750, OS_USER);
  ensureDir(home, 0o700, OS_USER);
  ensureDir(tlsDir, 0o700, OS_USER);
  ensureDir(join(paths.rabbit, 'mnesia'), 0o750, OS_USER);
  ensureDir(logBase, 0o750, OS_USER);
  copyOwned(paths.serverCert, join(tlsDir, 'server.crt'), 0o644, OS_USER);
  copyOwned(paths.serverKey, join(tlsDir, 'server.key'), 0o600, OS_USER);
  copyOwned(paths.caCert, join(tlsDir, 'ca.crt'), 0o644, OS_USER);
  const cookie = join(home, '.erlang.cookie');
  if (!existsSync(cookie)) writeFileSync(cookie, secrets.amqpPassword.slice(0, 20).toUpperCase(), { mode: 0o400 });
  const conf = [
    '# Written by `npm run stack -- up`; edit deploy/stack/src/rabbitmq.ts instead.',
    // No plaintext listener at all: only TLS.
    'listeners.tcp = none',
    `listeners.ssl.default = ${s.host}:${s.amqpPort}`,
    `ssl_options.cacertfile = ${join(tlsDir, 'ca.crt')}`,
    `ssl_options.certfile = ${join(tlsDir, 'server.crt')}`,
    `ssl_options.keyfile = ${join(tlsDir, 'server.key')}`,
    'ssl_options.verify = verify_peer',
    'ssl_options.fail_if_no_peer_cert = false',
    'ssl_options.versions.1 = tlsv1.3',
    'ssl_options.versions.2 = tlsv1.2',
    // The default user replaces guest on the node's first boot, so guest never exists.
    `default_user = ${s.amqpUser}`,
    `default_pass = ${secrets.amqpPassword}`,
    'default_user_tags.administrator = true',
    'default_permissions.configure = .*',
    'default_permissions.read = .*',
    'default_permissions.write = .*',
    'loopback_users = none',
    'disk_free_limit.absolute = 256MB',
    'log.file.level = info',
    'log.console = false',
    '',
  ].join('\n');
  writeFileSync(join(paths.rabbit, 'rabbitmq.conf'), conf, { mode: 0o600 });
  writeFileSync(join(paths.rabbit, 'rabbitmq-env.conf'), '# intentionally empty: the stack passes everything through the environment\n');
  writeFileSync(join(paths.rabbit, 'enabled_plugins'), '[].\n');
  chownTree(paths.rabbit, OS_USER);
}

export async function rabbitReady(s: Settings, secrets: Secrets): Promise<boolean> {
  const conn = await connect(amqpUrl(s, secrets), { ca: [readFileSync(paths.caCert)], timeout: 3000 });
  await conn.close();
  return true;
}

export async function startRabbit(s: Settings, secrets: Secrets): Promise<number> {
  if (!existsSync(join(RABBIT_BIN, 'rabbitmq-server'))) {
    throw new StackError('stack_missing_dependency', 'rabbitmq-server not found', 'install the Debian package rabbitmq-server');
  }
  if (isRoot && !userIds(OS_USER)) throw new StackError('stack_missing_dependency', `OS user ${OS_USER} missing`, 'reinstall the Debian package rabbitmq-server');
  writeConfig(s, secrets);
  let pid = rabbitPid();
  if (pid) {
    step(`rabbitmq: already running (pid ${pid}, port ${s.amqpPort})`);
  } else {
    for (const [port, env] of [[s.amqpPort, 'DPH_STACK_AMQPS_PORT'], [s.rabbitDistPort, 'DPH_STACK_RABBIT_DIST_PORT']] as const) {
      if (await portOpen(port)) throw portTaken('rabbitmq', port, env);
    }
    step(`rabbitmq: starting private node ${s.rabbitNode} (TLS only) on ${s.host}:${s.amqpPort}`);
    ownedFile(rabbitLog, OS_USER);
    const [cmd, args] = isRoot
      ? ['runuser', ['-u', OS_USER, '--', join(RABBIT_BIN, 'rabbitmq-server')]]
      : [join(RABBIT_BIN, 'rabbitmq-server'), [] as string[]];
    spawnDetached(cmd, args as string[], rabbitEnv(s), rabbitLog, paths.rabbit);
  }
  const ok = await waitUntil(() => rabbitReady(s, secrets), 90000, 500);
  if (!ok) throw new StackError('stack_start_failed', 'rabbitmq did not accept an amqps login in 90 s', `see ${rabbitLog} and ${logBase}/`);
  pid = rabbitPid();
  if (!pid) throw new StackError('stack_start_failed', 'rabbitmq is up but wrote no pid file', `see ${rabbitLog}`);
  return pid;
}

export async function stopRabbit(s: Settings): Promise<void> {
  const pid = rabbitPid();
  if (pid) await stopPid(pid, 30000);
  // Our private epmd (own port) served only this node.
  run('epmd', ['-kill'], { env: { ...process.env, ERL_EPMD_PORT: String(s.epmdPort) }, allowFail: true });
}

/** `npm run stack -- rabbitmqctl <args>`: the CLI against our private node (its cookie, epmd and name). */
export function rabbitmqctl(s: Settings, args: string[]): number {
  const ctl = join(RABBIT_BIN, 'rabbitmqctl');
  const [cmd, a] = isRoot ? ['runuser', ['-u', OS_USER, '--', ctl, ...args]] : [ctl, args];
  const r = spawnSync(cmd, a as string[], { env: rabbitEnv(s), stdio: 'inherit', cwd: paths.rabbit });
  return r.status ?? 1;
}
