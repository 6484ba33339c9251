// Test-only helpers shared through @dph/egress/testing: a throwaway CA and server certificate for HTTPS tests.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestTls {
  ca: string;
  cert: string;
  key: string;
}

/** A throwaway CA and a server certificate for `names` (and 127.0.0.1), made with the openssl CLI. */
export function makeTestTls(names: string[]): TestTls {
  const dir = mkdtempSync(join(tmpdir(), 'dph-egress-tls-'));
  const run = (args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  try {
    run(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1',
      '-subj', '/CN=dph test ca', '-keyout', 'ca.key', '-out', 'ca.pem']);
    run(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-subj', `/CN=${names[0]}`,
      '-keyout', 'srv.key', '-out', 'srv.csr']);
    const san = [...names.map((n) => `DNS:${n}`), 'IP:127.0.0.1'].join(',');
    writeFileSync(join(dir, 'ext.cnf'), `subjectAltName=${san}\n`);
    run(['x509', '-req', '-in', 'srv.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '1',
      '-extfile', 'ext.cnf', '-out', 'srv.pem']);
    return {
      ca: readFileSync(join(dir, 'ca.pem'), 'utf8'),
      cert: readFileSync(join(dir, 'srv.pem'), 'utf8'),
      key: readFileSync(join(dir, 'srv.key'), 'utf8'),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
