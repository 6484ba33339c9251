import { existsSync, readFileSync, statSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { StackError, portTaken } from './errors.js';
import { step } from './log.js';
import { paths } from './paths.js';
import { cmdline, pidAlive, portOpen, spawnDetached, stopPid, waitUntil } from './proc.js';
import type { Settings } from './settings.js';
import { forgetComponent, loadState, recordComponent } from './state.js';

/** The development OpenID provider (deploy/idp): client_credentials tokens for the demo identities. */
export const idpMain = join(paths.root, 'deploy', 'idp', 'src', 'main.ts');
export const idpLog = join(paths.logs, 'idp.log');
export const idpStateDir = join(paths.dph, 'idp');

export const idpExists = () => existsSync(idpMain) && statSync(idpMain).size > 0;
export const idpIssuer = (s: Settings) => `https://${s.host}:${s.idpPort}`;
/** The API's URL doubles as the token audience (a resource indicator must be an absolute URI). */
export const oidcAudience = (s: Settings) => `https://${s.host}:${s.servicePorts['orchestrator-api']}`;

export function idpPid(): number | undefined {
  const pid = loadState().idp?.pid;
  return pid && pidAlive(pid) && cmdline(pid).includes(idpMain) ? pid : undefined;
}

function discoveryOk(s: Settings): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request(`${idpIssuer(s)}/.well-known/openid-configuration`, { ca: readFileSync(paths.caCert), timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}

export async function startIdp(s: Settings): Promise<void> {
  if (!idpExists()) return;
  let pid = idpPid();
  if (pid) {
    step(`idp: already running (pid ${pid}, ${idpIssuer(s)})`);
  } else {
    if (await portOpen(s.idpPort)) throw portTaken('idp', s.idpPort, 'DPH_STACK_IDP_PORT');
    step(`idp: starting development OpenID provider on ${idpIssuer(s)}`);
    const env = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: process.env.HOME ?? '/root',
      LANG: 'C.UTF-8',
      DPH_IDP_HOST: s.host,
      DPH_IDP_PORT: String(s.idpPort),
      DPH_IDP_STATE_DIR: idpStateDir,
      DPH_OIDC_ISSUER: idpIssuer(s),
      DPH_OIDC_AUDIENCE: oidcAudience(s),
      DPH_IDP_TLS_CERT_FILE: paths.serverCert,
      DPH_IDP_TLS_KEY_FILE: paths.serverKey,
    };
    pid = spawnDetached(process.execPath, ['--conditions=development', '--import', 'tsx', idpMain], env, idpLog, paths.root);
    recordComponent('idp', { pid, port: s.idpPort, startedAt: new Date().toISOString(), log: idpLog });
  }
  const started = pid;
  const ok = await waitUntil(async () => !pidAlive(started) || (await discoveryOk(s)), 30000, 300);
  if (!ok || !pidAlive(started)) {
    forgetComponent('idp');
    throw new StackError('stack_start_failed', 'the development identity provider did not serve its discovery document', `see ${idpLog}`);
  }
}

export async function stopIdp(): Promise<void> {
  const pid = idpPid();
  if (pid) {
    step(`idp: stopping (pid ${pid})`);
    await stopPid(pid, 10000);
  }
  forgetComponent('idp');
}
