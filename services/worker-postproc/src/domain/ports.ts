/**
 * The narrow interfaces the pipeline works against. Implementations live in data-access/ (Postgres, S3); the
 * pipeline itself imports no database, broker or S3 client.
 */
import type { DocumentType, JobStatus, ParseTask } from '@dph/contracts';
import type { ParsedDocument, ParseInput } from '@dph/parsing';
import type { Chunk, ChunkOptions } from '@dph/chunking';
import type { OutboxItem } from './messages.js';

export interface JobRecord {
  jobId: string;
  tenantScene: string;
  businessRef: string;
  status: JobStatus;
  createdAt: Date;
  rawBucket: string | null;
  rawKey: string | null;
  declaredType: string | null;
  filename: string | null;
  callback: { url: string; eventFilter: string[] } | null;
}

export interface SuccessUpdate {
  documentType: DocumentType;
  engine: string;
  degraded: boolean;
  warnings: string[];
  parsedBucket: string;
  resultKeys: { md: string; json: string; chunks: string };
  piiCounts: Record<string, number>;
}

/**
 * Job transitions. Each is one transaction: a conditional UPDATE (`WHERE status = <expected>`) plus the outbox
 * rows the caller builds from the job with its new status. `null` means the job was not in the expected state
 * (nothing changed, nothing enqueued). The steps of a running job take the loaded record; `fail` needs only the id.
 */
export interface JobsPort {
  load(jobId: string): Promise<JobRecord | undefined>;
  status(jobId: string): Promise<JobStatus | undefined>;
  toParsing(job: JobRecord, outbox: (job: JobRecord) => OutboxItem[]): Promise<JobRecord | null>;
  toPostproc(job: JobRecord, documentType: DocumentType, engine: string, outbox: (job: JobRecord) => OutboxItem[]): Promise<JobRecord | null>;
  succeed(job: JobRecord, update: SuccessUpdate, outbox: (job: JobRecord) => OutboxItem[]): Promise<JobRecord | null>;
  /** From any of `from` to failed. */
  fail(jobId: string, from: readonly JobStatus[], code: string, message: string, outbox: (job: JobRecord) => OutboxItem[]): Promise<JobRecord | null>;
}

export interface RawSource {
  /** The raw document, bounded in size and time; must be SSE-KMS encrypted. */
  fetch(bucket: string, key: string, signal?: AbortSignal): Promise<Uint8Array>;
}

export interface ResultStore {
  readonly bucket: string;
  write(keys: { md: string; json: string; chunks: string }, bodies: { md: string; json: string; chunks: string }): Promise<void>;
  /** Deletes whatever exists of the job's result objects (cancel/fail clean-up); absent objects are fine. */
  remove(keys: { md: string; json: string; chunks: string }): Promise<void>;
}

export interface Redactor {
  redactMarkdown(markdown: string): { markdown: string; findings: Finding[] };
  redactJson(value: unknown): { value: unknown; findings: Finding[] };
}

/** What the pipeline reads of a PII finding (the engine's own type carries more; only offsets and labels leave). */
export interface Finding {
  type: string;
  start: number;
  end: number;
  score: number;
  recognizer: string;
  path?: string;
}

export interface PipelineDeps {
  jobs: JobsPort;
  raw: RawSource;
  results: ResultStore;
  parse: (input: ParseInput, signal?: AbortSignal) => Promise<ParsedDocument>;
  redactorFor: (scene: string) => Redactor;
  chunk: (markdown: string, idPrefix: string, options: ChunkOptions) => Chunk[];
  chunkOptionsFor: (scene: string) => ChunkOptions;
  /** Built from ParseTask + job row; the `source` of every CloudEvent this worker emits. */
  eventSource: string;
  actor: string;
  /** Deliveries after which a retryable failure is final (the queue's x-delivery-limit). */
  deliveryLimit: number;
  parseTimeoutMs: number;
  metrics: PipelineMetrics;
  /** Called at each stage boundary (tests use it to pause or crash a worker at a known point). */
  onStage?: (stage: Stage, jobId: string) => void | Promise<void>;
  log: { info(o: object, m: string): void; warn(o: object, m: string): void; error(o: object, m: string): void };
}

export type Stage = 'parsing' | 'fetched' | 'parsed' | 'redacted' | 'stored' | 'done';

export interface PipelineMetrics {
  jobDone(scene: string, engine: string, seconds: number): void;
  jobFailed(code: string): void;
  piiEntities(counts: Record<string, number>): void;
}

export type { ParseTask };
