/** A small client of the v1 API as an API consumer would write one: bearer token, scene header, TLS with the CA. */
import { Agent, FormData, fetch, type Response } from 'undici';

export interface ApiClientOptions {
  baseUrl: string;
  ca: string | Buffer;
  token: () => Promise<string>;
}

export class ApiError extends Error {
  constructor(readonly status: number, readonly problem: { error?: string; title?: string; detail?: string }) {
    super(`API ${status} ${problem.error ?? ''}: ${problem.detail ?? problem.title ?? ''}`);
  }
}

export class ApiClient {
  private readonly dispatcher: Agent;
  constructor(private readonly o: ApiClientOptions) {
    this.dispatcher = new Agent({ connect: { ca: o.ca } });
  }

  async request<T>(method: string, path: string, init: { scene?: string; headers?: Record<string, string>; body?: string | FormData } = {}): Promise<T> {
    const headers: Record<string, string> = { authorization: `Bearer ${await this.o.token()}`, ...init.headers };
    if (init.scene) headers['x-tenant-scene'] = init.scene;
    if (typeof init.body === 'string') headers['content-type'] = 'application/json';
    const res: Response = await fetch(`${this.o.baseUrl}${path}`, { method, headers, body: init.body, dispatcher: this.dispatcher });
    const text = await res.text();
    const parsed = text ? (JSON.parse(text) as unknown) : {};
    if (!res.ok) throw new ApiError(res.status, parsed as ApiError['problem']);
    return parsed as T;
  }

  /** Downloads a presigned result URL (no bearer token: the URL itself is the short-lived credential). */
  async download(url: string): Promise<string> {
    const res = await fetch(url, { dispatcher: this.dispatcher });
    if (!res.ok) throw new Error(`download failed with ${res.status}`);
    return res.text();
  }

  close(): Promise<void> {
    return this.dispatcher.close();
  }
}
