import { Agent, FormData, fetch } from 'undici';
import { apiUrl, caCert } from '@dph/testkit';

export interface Reply {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
}

let agent: Agent | undefined;
const dispatcher = () => (agent ??= new Agent({ connect: { ca: caCert() } }));

/** One raw API call: the suite looks at status codes and problem bodies, so nothing here throws on 4xx/5xx. */
export async function call(
  method: string,
  path: string,
  o: { token?: string; scene?: string; json?: unknown; form?: FormData; headers?: Record<string, string>; base?: string } = {},
): Promise<Reply> {
  const headers: Record<string, string> = { ...o.headers };
  if (o.token !== undefined) headers.authorization = `Bearer ${o.token}`;
  if (o.scene) headers['x-tenant-scene'] = o.scene;
  let body: string | FormData | undefined;
  if (o.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(o.json);
  } else if (o.form) body = o.form;
  const res = await fetch(`${o.base ?? apiUrl()}${path}`, { method, headers, body, dispatcher: dispatcher() });
  const text = await res.text();
  return { status: res.status, headers: res.headers as unknown as Headers, body: parseBody(text) };
}

function parseBody(text: string): Record<string, unknown> {
  try {
    return text ? (JSON.parse(text) as Record<string, unknown>) : {};
  } catch {
    return { raw: text.slice(0, 200) };
  }
}

export async function closeHttp(): Promise<void> {
  await agent?.close();
  agent = undefined;
}

/** Submits a small text document for `scene` as the token's subject; returns the job id. */
export async function submitText(token: string, scene: string, text: string): Promise<string> {
  const form = new FormData();
  form.append('business_ref', `security-suite/${Date.now()}`);
  form.append('file', new Blob([text], { type: 'text/plain' }), 'note.txt');
  const r = await call('POST', '/v1/jobs', { token, scene, form });
  if (r.status !== 202) throw new Error(`submission refused: ${r.status} ${String(r.body.error)}`);
  return String(r.body.jobId);
}

/** GET a text resource over the stack's TLS (or plain http on loopback ops ports); '' when unreachable. */
export async function getText(url: string): Promise<string> {
  try {
    const res = await fetch(url, { dispatcher: dispatcher() });
    return res.ok ? await res.text() : '';
  } catch {
    return '';
  }
}
