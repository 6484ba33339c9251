import type { DocumentType } from '@dph/contracts';

export interface EngineRequest {
  bytes: Uint8Array;
  filename: string;
  documentType: DocumentType;
  signal?: AbortSignal | undefined;
}

export interface EngineResult {
  markdown: string;
  /** Non-sensitive notes (e.g. partial_success). */
  warnings: string[];
}

/**
 * A heavy parser behind HTTP. convert() throws DphError engine_unavailable when the engine cannot be reached or
 * answers 5xx/times out (the router may then fall back), and parse_failed when the engine rejects the document.
 */
export interface EngineAdapter {
  readonly name: string;
  convert(req: EngineRequest): Promise<EngineResult>;
}
