import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

/** The checked-in OpenAPI document (source of truth); same relative location from src/ and dist/. */
export const OPENAPI_PATH = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'openapi', 'openapi.yaml');

export type OpenApiDoc = {
  openapi: string;
  paths: Record<string, Record<string, unknown>>;
  components: { schemas: Record<string, unknown>; parameters: Record<string, unknown>; responses: Record<string, unknown>; headers: Record<string, unknown> };
} & Record<string, unknown>;

let cached: OpenApiDoc | null = null;

export function loadOpenApi(path = OPENAPI_PATH): OpenApiDoc {
  if (path === OPENAPI_PATH && cached) return cached;
  const doc = parse(readFileSync(path, 'utf8')) as OpenApiDoc;
  if (path === OPENAPI_PATH) cached = doc;
  return doc;
}
