import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DphError } from '@dph/errors';
import {
  createRegistry, createCounter, createHistogram, currentTraceparent, traceIdOf, isValidTraceparent,
  withExtractedContext, traceHeaders, initTracing, getTracer,
} from './index.js';

test('registry carries the service label and default metrics', async () => {
  const reg = createRegistry('audit-writer');
  const c = createCounter(reg, { name: 'dph_test_total', help: 'x', labels: { outcome: ['ok', 'error'] } as const });
  c.inc({ outcome: 'ok' });
  const text = await reg.metrics();
  assert.match(text, /dph_test_total\{outcome="ok",service="audit-writer"\} 1/);
  assert.match(text, /process_cpu_user_seconds_total\{service="audit-writer"\}/);
});

test('label guard refuses values outside the allowed set without echoing them', () => {
  const reg = createRegistry('svc', { defaultMetrics: false });
  const c = createCounter(reg, { name: 'dph_guard_total', help: 'x', labels: { code: ['a', 'b'] } as const });
  assert.throws(() => c.inc({ code: 'alice@example.com' as 'a' }), (e: DphError) => {
    assert.equal(e.code, 'invalid_metric_label');
    assert.doesNotMatch(e.message, /alice/);
    return true;
  });
  assert.throws(() => c.inc({ code: 'a', extra: 'x' } as never), /unknown label extra/);
  const h = createHistogram(reg, { name: 'dph_h_seconds', help: 'x', labels: { band: ['high', 'low'] } as const });
  h.observe({ band: 'high' }, 0.2);
  assert.throws(() => h.startTimer({ band: 'mid' as 'high' }), /label band/);
});

test('a traceparent exists even with no active span, and it is valid', () => {
  const tp = currentTraceparent();
  assert.ok(isValidTraceparent(tp), tp);
  assert.notEqual(traceIdOf(tp), traceIdOf(currentTraceparent()));
  assert.equal(traceIdOf('00-00000000000000000000000000000000-0000000000000001-01'), null);
  assert.equal(traceIdOf('garbage'), null);
});

test('withExtractedContext continues the incoming trace with a real child span', async () => {
  await initTracing({ service: 'test' });
  const incoming = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
  const inner = await withExtractedContext({ traceparent: incoming }, () => ({
    tp: currentTraceparent(),
    headers: traceHeaders(),
  }));
  assert.equal(traceIdOf(inner.tp), '4bf92f3577b34da6a3ce929d0e0e4736');
  assert.notEqual(inner.tp.slice(36, 52), '00f067aa0ba902b7', 'a child span has its own span id');
  assert.equal(traceIdOf(inner.headers.traceparent), '4bf92f3577b34da6a3ce929d0e0e4736');
});

test('without incoming headers a root span gives one trace id for the whole operation', async () => {
  const [a, b] = await withExtractedContext(undefined, async () => {
    const first = currentTraceparent();
    await new Promise((r) => setTimeout(r, 1));
    return [first, currentTraceparent()];
  });
  assert.equal(traceIdOf(a), traceIdOf(b));
  const span = getTracer().startSpan('x');
  assert.ok(span.isRecording(), 'a real tracer provider is installed');
  span.end();
});
