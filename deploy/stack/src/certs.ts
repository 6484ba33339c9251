import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { paths } from './paths.js';
import { run } from './proc.js';
import { step } from './log.js';

/**
 * A development CA and the certificates it signs, made with the openssl CLI (present on every Debian machine).
 * One server certificate serves every backing service: all of them listen on loopback only.
 */
export function ensureCerts(): void {
  mkdirSync(paths.tls, { recursive: true, mode: 0o755 });
  const have = [paths.caCert, paths.caKey, paths.serverCert, paths.serverKey, paths.clientCert, paths.clientKey].every(existsSync);
  if (have && certValid(paths.serverCert) && certValid(paths.clientCert)) {
    step('certificates: present');
    return;
  }
  step('certificates: generating development CA, server and client certificates');
  if (!existsSync(paths.caCert) || !existsSync(paths.caKey) || !certValid(paths.caCert)) {
    run('openssl', ['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', paths.caKey]);
    run('openssl', [
      'req', '-x509', '-new', '-key', paths.caKey, '-sha256', '-days', '3650', '-subj', '/O=doc-preprocess-hub/CN=dph development CA',
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign', '-out', paths.caCert,
    ]);
  }
  issue('server', '/O=doc-preprocess-hub/CN=localhost', 'subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1\nextendedKeyUsage=serverAuth,clientAuth\nkeyUsage=critical,digitalSignature,keyEncipherment\nbasicConstraints=CA:FALSE\n', paths.serverKey, paths.serverCert);
  issue('client', '/O=doc-preprocess-hub/CN=dph-dev-client', 'extendedKeyUsage=clientAuth\nkeyUsage=critical,digitalSignature,keyEncipherment\nbasicConstraints=CA:FALSE\n', paths.clientKey, paths.clientCert);
}

function issue(name: string, subject: string, ext: string, keyFile: string, certFile: string): void {
  const csr = join(paths.tls, `${name}.csr`);
  const extFile = join(paths.tls, `${name}.ext`);
  writeFileSync(extFile, ext);
  run('openssl', ['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', keyFile]);
  // PKCS#8 form: every consumer (Erlang, Go, Node, Postgres, Redis) reads it.
  run('openssl', ['pkcs8', '-topk8', '-nocrypt', '-in', keyFile, '-out', `${keyFile}.p8`]);
  run('mv', [`${keyFile}.p8`, keyFile]);
  run('chmod', ['600', keyFile]);
  run('openssl', ['req', '-new', '-key', keyFile, '-subj', subject, '-out', csr]);
  run('openssl', ['x509', '-req', '-in', csr, '-CA', paths.caCert, '-CAkey', paths.caKey, '-CAcreateserial', '-days', '397', '-sha256', '-extfile', extFile, '-out', certFile]);
  rmSync(csr, { force: true });
  rmSync(extFile, { force: true });
}

/** Still valid for at least a day. */
function certValid(file: string): boolean {
  return run('openssl', ['x509', '-checkend', '86400', '-noout', '-in', file], { allowFail: true }).status === 0;
}
