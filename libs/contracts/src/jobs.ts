/** Job vocabulary shared by the API, the worker, the dispatcher and the audit writer (DESIGN §3, §5). */
export const JOB_STATUSES = ['queued', 'parsing', 'postproc', 'succeeded', 'failed', 'cancelled'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];
export const TERMINAL_STATUSES: readonly JobStatus[] = ['succeeded', 'failed', 'cancelled'];
export const isTerminal = (s: JobStatus): boolean => TERMINAL_STATUSES.includes(s);

export const CLASSIFICATIONS = ['public', 'internal', 'confidential', 'restricted'] as const;
export type Classification = (typeof CLASSIFICATIONS)[number];
export const DEFAULT_CLASSIFICATION: Classification = 'internal';

export const SOURCE_TYPES = ['direct_upload', 'presigned_url', 'inner_oss_ref'] as const;
export type SourceType = (typeof SOURCE_TYPES)[number];

export const DOCUMENT_TYPES = [
  'pdf-native', 'pdf-scan', 'docx', 'xlsx', 'pptx', 'html', 'md', 'txt', 'csv', 'json', 'email',
] as const;
export type DocumentType = (typeof DOCUMENT_TYPES)[number];

export const MIN_PRIORITY = 1;
export const MAX_PRIORITY = 9;
export const DEFAULT_PRIORITY = 5;

/** The parse task the orchestrator publishes on dph.jobs with routing key parse.<classification>.<band>. */
export interface ParseTask {
  jobId: string;
  tenantScene: string;
  classification: Classification;
  priority: number;
  businessRef: string;
  rawBucket: string;
  rawKey: string;
  /** Hints from the submission (declared content type, filename); the worker still sniffs content. */
  declaredType?: string;
  filename?: string;
  documentType?: DocumentType;
  submittedAt: string;
}

export interface ResultKeys {
  md: string;
  json: string;
  chunks: string;
}

/** Object key layout of the seed (DESIGN §4). `at` is the job's creation time (UTC). */
export function rawKey(scene: string, at: Date, jobId: string, ext: string): string {
  return `raw/${scene}/${datePath(at)}/${jobId}.${ext}`;
}
export function parsedKeys(scene: string, at: Date, jobId: string): ResultKeys {
  const base = `parsed/${scene}/${datePath(at)}/${jobId}`;
  return { md: `${base}/result.md`, json: `${base}/result.json`, chunks: `${base}/chunks.json` };
}
function datePath(at: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${at.getUTCFullYear()}/${p(at.getUTCMonth() + 1)}/${p(at.getUTCDate())}`;
}

/** Scene names appear in keys, routing and RLS: keep them to a safe alphabet. */
export const SCENE_PATTERN = /^[a-z0-9][a-z0-9_-]{0,62}$/;

/** A canonical UUID (job, event, delivery and subscription ids), any version, either case. */
export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
