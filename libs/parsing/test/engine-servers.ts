// Local HTTP servers that follow the documented APIs of docling-serve (async convert, poll, single-use result)
// and MinerU's mineru-api (/file_parse). They stand in for the real engines, which need model weights and
// cannot run on this machine; see src/engines/README.md.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeEngine {
  url: string;
  requests: { method: string; path: string; contentType: string; bodyBytes: number; body: string }[];
  close(): Promise<void>;
}

async function body(req: IncomingMessage): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of req) parts.push(c as Buffer);
  return Buffer.concat(parts);
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

export interface DoclingBehaviour {
  markdown?: string;
  /** Polls answered "started" before "success". */
  pendingPolls?: number;
  failTask?: boolean;
  status?: 'success' | 'partial_success';
}

export async function startDocling(b: DoclingBehaviour = {}): Promise<FakeEngine> {
  const requests: FakeEngine['requests'] = [];
  const tasks = new Map<string, { polls: number; done: boolean }>();
  let n = 0;
  const server = createServer(async (req, res) => {
    const buf = await body(req);
    const path = req.url ?? '';
    requests.push({ method: req.method ?? '', path, contentType: req.headers['content-type'] ?? '', bodyBytes: buf.length, body: buf.toString('latin1') });
    const json = (code: number, v: unknown) => {
      res.writeHead(code, { 'content-type': 'application/json' });
      res.end(JSON.stringify(v));
    };
    if (req.method === 'POST' && path === '/v1/convert/file/async') {
      if (!String(req.headers['content-type']).startsWith('multipart/form-data')) return json(422, { detail: 'multipart expected' });
      const id = `task-${++n}`;
      tasks.set(id, { polls: 0, done: false });
      return json(200, { task_id: id, task_status: 'pending', task_position: 1, task_meta: null });
    }
    let m = /^\/v1\/status\/poll\/([^?]+)/.exec(path);
    if (req.method === 'GET' && m) {
      const t = tasks.get(m[1]!);
      if (!t) return json(404, { detail: 'Task not found.' });
      t.polls++;
      const status = t.polls <= (b.pendingPolls ?? 1) ? 'started' : b.failTask ? 'failure' : 'success';
      return json(200, { task_id: m[1], task_status: status, task_position: null, task_meta: null });
    }
    m = /^\/v1\/result\/(.+)$/.exec(path);
    if (req.method === 'GET' && m) {
      const t = tasks.get(m[1]!);
      // single-use results: the first fetch consumes the task
      if (!t || t.done) return json(404, { detail: 'Task result not found. Please wait for a completion status.' });
      t.done = true;
      tasks.delete(m[1]!);
      return json(200, {
        document: { filename: 'document.pdf', md_content: b.markdown ?? '# Scanned\n\nOCR text line', json_content: null, html_content: null, text_content: null, doctags_content: null },
        status: b.status ?? 'success',
        errors: [],
        processing_time: 0.1,
        timings: {},
      });
    }
    json(404, { detail: 'Not Found' });
  });
  const url = await listen(server);
  return { url, requests, close: () => new Promise((r) => server.close(() => r())) };
}

export async function startMineru(markdown = '# Parsed by MinerU\n\n| a | b |\n| --- | --- |\n| 1 | 2 |\n'): Promise<FakeEngine> {
  const requests: FakeEngine['requests'] = [];
  const server = createServer(async (req, res) => {
    const buf = await body(req);
    requests.push({ method: req.method ?? '', path: req.url ?? '', contentType: req.headers['content-type'] ?? '', bodyBytes: buf.length, body: buf.toString('latin1') });
    if (req.method === 'POST' && req.url === '/file_parse') {
      const name = /filename="([^"]+)"/.exec(buf.toString('latin1'))?.[1] ?? 'unnamed';
      res.writeHead(200, { 'content-type': 'application/json' });
      return res.end(JSON.stringify({ backend: 'pipeline', version: '2.5.0', results: { [name.replace(/\.[^.]+$/, '')]: { md_content: markdown } } }));
    }
    res.writeHead(404).end();
  });
  const url = await listen(server);
  return { url, requests, close: () => new Promise((r) => server.close(() => r())) };
}

/** A base URL where nothing listens. */
export async function deadUrl(): Promise<string> {
  const s = createServer();
  const url = await listen(s);
  await new Promise<void>((r) => s.close(() => r()));
  return url;
}
