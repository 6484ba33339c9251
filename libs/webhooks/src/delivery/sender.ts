import { request, type Dispatcher } from 'undici';
import { checkUrl, isEgressDenied, isIpLiteral, resolveVetted, toCidrs, type Cidr } from '@dph/egress';

export interface SendInput {
  url: string;
  body: string;
  headers: Record<string, string>;
  timeoutMs: number;
  /** The guarded agent (its lookup vets every connection). */
  dispatcher: Dispatcher;
  allowHttp: boolean;
  /** Needed to vet IP-literal URLs, which never reach the agent's lookup (parsed ones are used as they are). */
  allowCidrs?: string | readonly string[] | readonly Cidr[];
}

export interface AttemptResult {
  statusCode: number | null;
  latencyMs: number;
  /** null on success; otherwise a stable class: http_status, redirect, timeout, connect, tls, egress_denied:<reason>. */
  errorClass: string | null;
  /** At most 512 characters of the answer, control characters stripped, for operators only. */
  responseExcerpt: string | null;
  retryAfter: string | undefined;
}

export const EXCERPT_LIMIT = 512;

// Control characters (other than tab and newlines) are dropped so an excerpt cannot spoof log or UI lines.
const clean = (s: string) =>
  [...s].filter((ch) => { const c = ch.charCodeAt(0); return c === 9 || c === 10 || c === 13 || (c >= 32 && c !== 127); }).join('').slice(0, EXCERPT_LIMIT);

async function readExcerpt(body: Dispatcher.ResponseData['body']): Promise<string | null> {
  const parts: Buffer[] = [];
  let n = 0;
  try {
    for await (const chunk of body) {
      parts.push(chunk as Buffer);
      n += (chunk as Buffer).length;
      if (n >= EXCERPT_LIMIT * 4) break;
    }
  } catch {
    // a body cut short still leaves what arrived
  } finally {
    body.on('error', () => {});
    body.destroy();
  }
  const text = clean(Buffer.concat(parts).toString('utf8'));
  return text.length ? text : null;
}

/** One delivery attempt: POST through the egress guard, no redirects, a deadline for the whole exchange. */
export async function sendWebhook(input: SendInput): Promise<AttemptResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const fail = (errorClass: string): AttemptResult => ({
    statusCode: null, latencyMs: elapsed(), errorClass, responseExcerpt: null, retryAfter: undefined,
  });
  try {
    const { host } = checkUrl(input.url, { allowHttp: input.allowHttp });
    if (isIpLiteral(host)) await resolveVetted(host, toCidrs(input.allowCidrs));
  } catch (err) {
    return fail(isEgressDenied(err) ? `egress_denied:${err.reason}` : 'invalid_url');
  }
  const signal = AbortSignal.timeout(input.timeoutMs);
  try {
    const res = await request(input.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'doc-preprocess-hub-webhooks/1', ...input.headers },
      body: input.body,
      dispatcher: input.dispatcher,
      signal,
    });
    const excerpt = await readExcerpt(res.body);
    const ra = res.headers['retry-after'];
    const status = res.statusCode;
    const errorClass = status >= 200 && status < 300 ? null : status >= 300 && status < 400 ? 'redirect' : 'http_status';
    return {
      statusCode: status,
      latencyMs: elapsed(),
      errorClass,
      responseExcerpt: excerpt,
      retryAfter: typeof ra === 'string' ? ra : undefined,
    };
  } catch (err) {
    if (isEgressDenied(err) || isEgressDenied((err as { cause?: unknown })?.cause)) {
      const e = (isEgressDenied(err) ? err : (err as { cause: unknown }).cause) as { reason: string };
      return fail(`egress_denied:${e.reason}`);
    }
    if (signal.aborted) return fail('timeout');
    const code = String((err as { code?: string })?.code ?? '');
    if (code.startsWith('ERR_TLS') || code.includes('CERT') || code.includes('SELF_SIGNED') || code.startsWith('UNABLE_TO_')) return fail('tls');
    if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || code === 'UND_ERR_CONNECT_TIMEOUT') return fail('timeout');
    return fail('connect');
  }
}
