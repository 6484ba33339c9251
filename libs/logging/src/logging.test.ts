import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { createLogger } from './index.js';

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) { lines.push(String(chunk)); cb(); },
  });
  return { lines, stream };
}

test('tokens, passwords, secrets and auth headers never reach the output', () => {
  const { lines, stream } = capture();
  const log = createLogger({ service: 'test-svc', instance: 'i-1', destination: stream });
  log.info({
    password: 'P4ss-top',
    token: 'tok-top',
    db: { password: 'P4ss-nested', user: 'dph_api' },
    req: { headers: { authorization: 'Bearer eyJ-secret-jwt', cookie: 'sid=cookie-secret', 'x-api-key': 'key-1' } },
    client: { credentials: { apiKey: 'ak-deep', clientSecret: 'cs-deep' }, accessToken: 'at-1' },
    a: { b: { c: { secret: 'deep-secret' } } },
    headers: { authorization: 'Basic dXNlcjpwYXNz' },
  }, 'request handled');
  const out = lines.join('');
  for (const leaked of ['P4ss-top', 'tok-top', 'P4ss-nested', 'eyJ-secret-jwt', 'cookie-secret', 'key-1', 'ak-deep',
    'cs-deep', 'at-1', 'deep-secret', 'dXNlcjpwYXNz']) {
    assert.ok(!out.includes(leaked), `leaked ${leaked}`);
  }
  const rec = JSON.parse(lines[0]!);
  assert.equal(rec.service, 'test-svc');
  assert.equal(rec.instance, 'i-1');
  assert.equal(rec.level, 'info');
  assert.equal(rec.db.user, 'dph_api');
  assert.equal(rec.db.password, '[redacted]');
  assert.equal(rec.msg, 'request handled');
});

test('child loggers keep base fields and redaction', () => {
  const { lines, stream } = capture();
  const log = createLogger({ service: 'svc', instance: 'x', destination: stream }).child({ component: 'consumer' });
  log.warn({ job: { token: 'child-tok' } }, 'retrying');
  const rec = JSON.parse(lines[0]!);
  assert.equal(rec.service, 'svc');
  assert.equal(rec.component, 'consumer');
  assert.equal(rec.job.token, '[redacted]');
});

test('lines written inside an active span carry its trace and span ids', async () => {
  const { initTracing, getTracer, traceIdOf, currentTraceparent } = await import('@dph/telemetry');
  await initTracing({ service: 'log-test' });
  const { lines, stream } = capture();
  const log = createLogger({ service: 'svc', destination: stream });
  let tp = '';
  getTracer().startActiveSpan('op', (span) => {
    tp = currentTraceparent();
    log.info('inside');
    span.end();
  });
  log.info('outside');
  const [inside, outside] = lines.map((l) => JSON.parse(l));
  assert.equal(inside.traceId, traceIdOf(tp));
  assert.equal(outside.traceId, undefined);
});
