import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '@dph/errors';
import {
  z, loadConfig, loadConfigOrExit, ConfigErrors, commonEnv, postgresEnv, amqpEnv, tlsEnv, s3Env,
  bool, duration, csv, int,
} from './index.js';

const dir = mkdtempSync(join(tmpdir(), 'dph-config-'));
const ca = join(dir, 'ca.pem');
writeFileSync(ca, '-----BEGIN CERTIFICATE-----\n');

const schema = z.object({ ...commonEnv, ...postgresEnv, ...amqpEnv, ...tlsEnv });
const good = {
  DPH_PG_HOST: 'localhost', DPH_PG_DATABASE: 'dph', DPH_PG_USER: 'dph_api', DPH_PG_PASSWORD: 'pw-s3cr3t',
  DPH_AMQP_URL: 'amqps://u:p@localhost:5671/dph', DPH_TLS_CA_FILE: ca,
};

test('parses, applies defaults and freezes', () => {
  const cfg = loadConfig(schema, { ...good, DPH_PG_PORT: '6543', DPH_SHUTDOWN_TIMEOUT_MS: '5s' });
  assert.equal(cfg.DPH_PG_PORT, 6543);
  assert.equal(cfg.DPH_HTTP_PORT, 8080);
  assert.equal(cfg.DPH_SHUTDOWN_TIMEOUT_MS, 5000);
  assert.equal(cfg.DPH_PG_SSLMODE, 'verify-full');
  assert.equal(cfg.DPH_ENV, 'development');
  assert.ok(Object.isFrozen(cfg));
  assert.throws(() => { (cfg as { DPH_PG_PORT: number }).DPH_PG_PORT = 1; });
});

test('a bad port names the variable and the expected form, never the value', () => {
  assert.throws(() => loadConfig(schema, { ...good, DPH_PG_PORT: '99999' }), (err: unknown) => {
    assert.ok(err instanceof ConfigError && err instanceof ConfigErrors);
    assert.equal(err.variable, 'DPH_PG_PORT');
    assert.equal(err.message, 'DPH_PG_PORT: expected an integer 1-65535');
    assert.equal(err.code, 'invalid_config');
    return true;
  });
});

test('a missing required variable says it is required', () => {
  const { DPH_PG_PASSWORD: _omit, ...rest } = good;
  assert.throws(() => loadConfig(schema, rest), (e: ConfigErrors) => {
    assert.equal(e.variable, 'DPH_PG_PASSWORD');
    assert.match(e.message, /^DPH_PG_PASSWORD: required/);
    return true;
  });
});

test('plaintext amqp:// is refused and the URL (with its password) is not echoed', () => {
  assert.throws(() => loadConfig(schema, { ...good, DPH_AMQP_URL: 'amqp://user:hunter2@h:5672' }), (e: Error) => {
    assert.match(e.message, /^DPH_AMQP_URL: expected an amqps:\/\/ URL/);
    assert.doesNotMatch(e.message, /hunter2/);
    return true;
  });
});

test('X_FILE supplies the value, trailing newline trimmed; both X and X_FILE is an error', () => {
  const pw = join(dir, 'pw');
  writeFileSync(pw, 'from-file\n');
  const { DPH_PG_PASSWORD: _omit, ...rest } = good;
  assert.equal(loadConfig(schema, { ...rest, DPH_PG_PASSWORD_FILE: pw }).DPH_PG_PASSWORD, 'from-file');
  assert.throws(() => loadConfig(schema, { ...good, DPH_PG_PASSWORD_FILE: pw }), /DPH_PG_PASSWORD: set either/);
  assert.throws(() => loadConfig(schema, { ...rest, DPH_PG_PASSWORD_FILE: join(dir, 'nope') }), (e: ConfigErrors) =>
    e.variable === 'DPH_PG_PASSWORD_FILE');
});

test('TLS files must exist and be readable; cert and key come together', () => {
  assert.throws(() => loadConfig(schema, { ...good, DPH_TLS_CA_FILE: join(dir, 'missing.pem') }),
    /DPH_TLS_CA_FILE: expected a path to an existing, readable file/);
  assert.throws(() => loadConfig(schema, { ...good, DPH_TLS_CA_FILE: dir }), /DPH_TLS_CA_FILE/);
  assert.throws(() => loadConfig(schema, { ...good, DPH_TLS_CLIENT_CERT_FILE: ca }),
    /DPH_TLS_CLIENT_KEY_FILE: required together with DPH_TLS_CLIENT_CERT_FILE/);
  if (process.getuid?.() !== 0) {
    const locked = join(dir, 'locked.pem');
    writeFileSync(locked, 'x');
    chmodSync(locked, 0o000);
    assert.throws(() => loadConfig(schema, { ...good, DPH_TLS_CA_FILE: locked }), /DPH_TLS_CA_FILE/);
  }
});

test('every bad variable is listed in one message', () => {
  assert.throws(() => loadConfig(schema, { ...good, DPH_PG_PORT: 'x', DPH_ENV: 'prod' }), (e: ConfigErrors) => {
    assert.equal(e.issues.length, 2);
    assert.doesNotMatch(e.message, /\n/);
    assert.match(e.message, /also invalid: /);
    return true;
  });
});

test('helpers: booleans, durations, CSV lists', () => {
  const s = z.object({ A: bool(), B: duration(), C: csv(['public', 'internal'] as const), D: int(1, 9).optional() });
  const c = loadConfig(s, { A: 'Yes', B: '2m', C: 'public, internal' });
  assert.deepEqual({ ...c, C: [...c.C] }, { A: true, B: 120_000, C: ['public', 'internal'] });
  assert.equal(loadConfig(s, { A: '0', B: '250', C: 'public' }).A, false);
  assert.throws(() => loadConfig(s, { A: 'maybe', B: '1', C: 'public' }), /A: expected a boolean/);
  assert.throws(() => loadConfig(s, { A: 'true', B: '1d', C: 'public' }), /B: expected a duration/);
  assert.throws(() => loadConfig(s, { A: 'true', B: '1', C: 'public,secret' }), /C: expected a comma-separated list of public\|internal/);
  assert.throws(() => loadConfig(s, { A: 'true', B: '1', C: 'public,,internal' }), /C: /);
});

test('s3 fragment refuses plain http', () => {
  const s = z.object({ ...s3Env });
  const env = { DPH_S3_ENDPOINT: 'http://minio:9000', DPH_S3_ACCESS_KEY_ID: 'a', DPH_S3_SECRET_ACCESS_KEY: 'b',
    DPH_S3_KMS_KEY_ID: 'k', DPH_BUCKET_RAW: 'r', DPH_BUCKET_PARSED: 'p', DPH_BUCKET_AUDIT: 'a' };
  assert.throws(() => loadConfig(s, env), /DPH_S3_ENDPOINT: expected an https:\/\/ URL/);
  assert.equal(loadConfig(s, { ...env, DPH_S3_ENDPOINT: 'https://minio:9000', DPH_S3_FORCE_PATH_STYLE: 'true' })
    .DPH_S3_FORCE_PATH_STYLE, true);
});

test('loadConfigOrExit prints one line and exits 1', () => {
  const lines: string[] = [];
  let code = -1;
  assert.throws(() => loadConfigOrExit(schema, { ...good, DPH_PG_PORT: '0' }, {
    write: (l) => lines.push(l),
    exit: (c) => { code = c; throw new Error('exited'); },
  }), /exited/);
  assert.equal(code, 1);
  assert.deepEqual(lines, ['config error: DPH_PG_PORT: expected an integer 1-65535']);
});
