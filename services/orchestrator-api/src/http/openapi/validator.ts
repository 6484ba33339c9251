/**
 * Request (and, for tests, response) validation compiled from the OpenAPI 3.1 document with Ajv's draft 2020-12
 * mode. Wired by hand rather than through a validator middleware: the maintained Express middleware parses
 * multipart bodies with multer (buffering uploads), while direct uploads here must stream to the raw bucket; and
 * OpenAPI 3.1 schemas are plain JSON Schema 2020-12, which Ajv handles directly.
 */
import { Ajv2020, type ValidateFunction, type ErrorObject } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import type { OpenApiDoc } from './load-spec.js';

// ajv-formats is CommonJS with a default export; NodeNext sees the module object.
type AddFormats = (ajv: Ajv2020) => unknown;
const addFormats: AddFormats =
  (addFormatsModule as unknown as { default?: AddFormats }).default ?? (addFormatsModule as unknown as AddFormats);

const SCHEMA_BASE = 'https://dph.invalid/openapi/';
export const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'] as const;

export interface ValidationIssue {
  location: string;
  message: string;
}

export interface RequestParts {
  params: Record<string, unknown>;
  query: Record<string, unknown>;
  headers: Record<string, string | string[] | undefined>;
}

interface CompiledParam {
  name: string;
  in: 'path' | 'query' | 'header';
  required: boolean;
  validate: ValidateFunction;
}

export interface CompiledOperation {
  operationId: string;
  method: string;
  /** OpenAPI path template, e.g. /v1/jobs/{jobId} */
  path: string;
  /** Express path, e.g. /v1/jobs/:jobId */
  expressPath: string;
  params: CompiledParam[];
  bodies: Map<string, ValidateFunction>;
  bodyRequired: boolean;
  secured: boolean;
}

type Json = Record<string, unknown>;

function rewriteRefs(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(rewriteRefs);
  if (node && typeof node === 'object') {
    const out: Json = {};
    for (const [k, v] of Object.entries(node)) {
      out[k] = k === '$ref' && typeof v === 'string' ? v.replace('#/components/schemas/', SCHEMA_BASE) : rewriteRefs(v);
    }
    return out;
  }
  return node;
}

function newAjv(coerce: boolean): Ajv2020 {
  const ajv = new Ajv2020({ allErrors: true, strict: true, coerceTypes: coerce, useDefaults: false, allowUnionTypes: true });
  addFormats(ajv);
  return ajv;
}

function formatIssues(errors: ErrorObject[] | null | undefined, location: string): ValidationIssue[] {
  return (errors ?? []).slice(0, 20).map((e) => ({
    location: `${location}${e.instancePath}`,
    // Ajv messages name the rule ("must be <= 9"), never echo the value.
    message: e.keyword === 'additionalProperties'
      ? `unknown property ${JSON.stringify(String((e.params as { additionalProperty?: string }).additionalProperty ?? '')).slice(0, 80)}`
      : (e.message ?? 'invalid'),
  }));
}

export class OpenApiValidator {
  readonly operations: ReadonlyMap<string, CompiledOperation>;
  private readonly strictAjv: Ajv2020;
  private readonly coercingAjv: Ajv2020;
  private readonly responseValidators = new Map<string, ValidateFunction>();

  constructor(private readonly doc: OpenApiDoc) {
    this.strictAjv = newAjv(false);
    this.coercingAjv = newAjv(true);
    for (const [name, schema] of Object.entries(doc.components.schemas)) {
      const s = { ...(rewriteRefs(schema) as Json), $id: SCHEMA_BASE + name };
      this.strictAjv.addSchema(s);
      this.coercingAjv.addSchema(s);
    }
    const ops = new Map<string, CompiledOperation>();
    for (const [path, item] of Object.entries(doc.paths)) {
      const shared = (item.parameters as Json[] | undefined) ?? [];
      for (const method of METHODS) {
        const op = item[method] as Json | undefined;
        if (!op) continue;
        const operationId = String(op.operationId);
        const params = [...shared, ...((op.parameters as Json[] | undefined) ?? [])].map((p) => this.compileParam(p));
        const bodies = new Map<string, ValidateFunction>();
        const rb = op.requestBody as { required?: boolean; content?: Record<string, { schema?: unknown }> } | undefined;
        for (const [ct, media] of Object.entries(rb?.content ?? {})) {
          if (media.schema) bodies.set(ct, this.strictAjv.compile(rewriteRefs(media.schema) as Json));
        }
        ops.set(operationId, {
          operationId,
          method,
          path,
          expressPath: path.replace(/\{(\w+)\}/g, ':$1'),
          params,
          bodies,
          bodyRequired: rb?.required === true,
          secured: !(Array.isArray(op.security) && op.security.length === 0),
        });
      }
    }
    this.operations = ops;
  }

  /** Methods declared for an OpenAPI path template (for 405 + Allow). */
  allowedMethods(path: string): string[] {
    const item = this.doc.paths[path] ?? {};
    const methods = METHODS.filter((m) => item[m]).map((m) => m.toUpperCase());
    if (methods.includes('GET')) methods.push('HEAD');
    return methods;
  }

  operation(operationId: string): CompiledOperation {
    const op = this.operations.get(operationId);
    if (!op) throw new Error(`unknown operation ${operationId}`);
    return op;
  }

  /** Path, query and header parameters; query/path values are coerced in place (strings to numbers). */
  validateParameters(op: CompiledOperation, parts: RequestParts): ValidationIssue[] {
    const issues: ValidationIssue[] = [];
    for (const p of op.params) {
      const source = p.in === 'path' ? parts.params : p.in === 'query' ? parts.query : parts.headers;
      const key = p.in === 'header' ? p.name.toLowerCase() : p.name;
      let value = source[key];
      if (Array.isArray(value)) {
        issues.push({ location: `${p.in}.${p.name}`, message: 'must be given once' });
        continue;
      }
      // An empty header counts as absent; an empty query value is a value and must match the schema.
      if (value === undefined || (value === '' && p.in === 'header')) {
        if (p.required) issues.push({ location: `${p.in}.${p.name}`, message: 'is required' });
        continue;
      }
      if (p.in !== 'header' && hasNul(value)) {
        issues.push(nulIssue(`${p.in}.${p.name}`));
        continue;
      }
      const holder = { v: value };
      if (!p.validate(holder)) {
        issues.push(...formatIssues(p.validate.errors, `${p.in}.${p.name}`).map((i) => ({ ...i, location: i.location.replace('/v', '') })));
        continue;
      }
      value = holder.v;
      if (p.in !== 'header') (source as Record<string, unknown>)[key] = value;
    }
    return issues;
  }

  validateBody(op: CompiledOperation, contentType: string, body: unknown): ValidationIssue[] {
    const validate = op.bodies.get(contentType);
    if (!validate) return [{ location: 'body', message: 'unsupported content type' }];
    if (!validate(body)) return formatIssues(validate.errors, 'body');
    return hasNul(body) ? [nulIssue('body')] : [];
  }

  /** A value against one named component schema (multipart fields carrying JSON text). */
  validateSchema(name: string, value: unknown): ValidationIssue[] {
    const v = this.strictAjv.getSchema(SCHEMA_BASE + name);
    if (!v) throw new Error(`unknown schema ${name}`);
    return v(value) ? [] : formatIssues(v.errors, 'body');
  }

  /** Response check used by tests: status must be declared and the JSON body must match its schema. */
  validateResponse(operationId: string, status: number, contentType: string | undefined, body: unknown): ValidationIssue[] {
    const op = this.operation(operationId);
    const responses = (this.doc.paths[op.path]?.[op.method] as Json).responses as Json;
    let resp = responses[String(status)] as Json | undefined;
    if (!resp) return [{ location: 'response', message: `status ${status} not declared for ${operationId}` }];
    if (typeof resp.$ref === 'string') resp = this.doc.components.responses[resp.$ref.split('/').pop()!] as Json;
    const content = resp.content as Record<string, { schema: unknown }> | undefined;
    if (!content) return body === undefined || body === '' ? [] : [{ location: 'response', message: 'body not declared' }];
    const ct = (contentType ?? '').split(';')[0]!.trim();
    const media = content[ct];
    if (!media) return [{ location: 'response', message: `content type ${ct} not declared for ${status}` }];
    const key = `${operationId} ${status} ${ct}`;
    let v = this.responseValidators.get(key);
    if (!v) {
      v = this.strictAjv.compile(rewriteRefs(media.schema) as Json);
      this.responseValidators.set(key, v);
    }
    return v(body) ? [] : formatIssues(v.errors, 'response');
  }

  private compileParam(raw: Json): CompiledParam {
    let p = raw;
    if (typeof p.$ref === 'string') p = this.doc.components.parameters[p.$ref.split('/').pop()!] as Json;
    const where = p.in as CompiledParam['in'];
    // Wrapped in an object so Ajv can coerce the value in place.
    const schema = { type: 'object', properties: { v: rewriteRefs(p.schema) }, required: ['v'] };
    return {
      name: String(p.name),
      in: where,
      required: p.required === true,
      validate: (where === 'header' ? this.strictAjv : this.coercingAjv).compile(schema),
    };
  }
}

/**
 * Postgres text cannot hold U+0000, so a string carrying it would fail in the database as a 500. It is refused
 * here as what it is, a value outside the contract. Walks JSON-shaped values (bounded by the body size limit).
 */
function hasNul(value: unknown): boolean {
  if (typeof value === 'string') return value.includes('\u0000');
  if (Array.isArray(value)) return value.some(hasNul);
  if (value !== null && typeof value === 'object') return Object.entries(value).some(([k, v]) => k.includes('\u0000') || hasNul(v));
  return false;
}

const nulIssue = (location: string): ValidationIssue => ({ location, message: 'must not contain the NUL character' });
