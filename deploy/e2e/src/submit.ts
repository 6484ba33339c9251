/** Submits one document through the real API with any of the three source types. */
import type { ObjectStore } from '@dph/storage';
import { FormData, type ApiClient } from '@dph/testkit';

export interface SubmitDoc {
  name: string;
  contentType: string;
  body: Buffer;
  scene: string;
  businessRef: string;
  idempotencyKey: string;
  classification?: string;
  priority?: number;
}

export type SubmitVia =
  | { type: 'direct_upload' }
  | { type: 'presigned_url'; url: string }
  /** The object must already be in the raw bucket (see stageInnerRef). */
  | { type: 'inner_oss_ref'; ref: string };

export interface Accepted {
  jobId: string;
  status: string;
  createdAt: string;
}

export async function submitJob(api: ApiClient, doc: SubmitDoc, via: SubmitVia): Promise<Accepted> {
  const headers = { 'x-idempotency-key': doc.idempotencyKey, 'x-data-classification': doc.classification ?? 'internal' };
  if (via.type === 'direct_upload') {
    const form = new FormData();
    form.append('business_ref', doc.businessRef);
    form.append('priority', String(doc.priority ?? 5));
    form.append('file', new Blob([doc.body], { type: doc.contentType }), doc.name);
    return api.request<Accepted>('POST', '/v1/jobs', { scene: doc.scene, headers, body: form });
  }
  const url_or_ref = via.type === 'presigned_url' ? via.url : via.ref;
  const body = JSON.stringify({ business_ref: doc.businessRef, priority: doc.priority ?? 5, source: { type: via.type, url_or_ref } });
  return api.request<Accepted>('POST', '/v1/jobs', { scene: doc.scene, headers, body });
}

/** Puts a document in the raw bucket (SSE-KMS) where an inner_oss_ref submission can point at it. */
export async function stageInnerRef(store: ObjectStore, rawBucket: string, key: string, doc: Pick<SubmitDoc, 'body' | 'contentType'>): Promise<string> {
  await store.put(rawBucket, key, doc.body, { contentType: doc.contentType });
  return `s3://${rawBucket}/${key}`;
}
