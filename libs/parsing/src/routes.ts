import { DOCUMENT_TYPES, type DocumentType } from '@dph/contracts';
import { ConfigError } from '@dph/errors';

/** Which engine parses which document type; a type that is absent (or 'builtin') uses the built-in parser. */
export type EngineRoutes = Partial<Record<DocumentType, string>>;

/**
 * Parses `pdf-scan:docling,pdf-native:builtin,docx:mineru` (the DPH_ENGINE_ROUTES format). Unknown document
 * types or engines stop start-up with a message naming the variable.
 */
export function parseEngineRoutes(spec: string | undefined, knownEngines: readonly string[], variable = 'DPH_ENGINE_ROUTES'): EngineRoutes {
  const routes: EngineRoutes = {};
  for (const part of (spec ?? '').split(',').map((s) => s.trim()).filter(Boolean)) {
    const [type, engine, extra] = part.split(':').map((s) => s.trim());
    if (!type || !engine || extra !== undefined) throw new ConfigError(variable, `"type:engine" pairs separated by commas, got "${part}"`);
    if (!(DOCUMENT_TYPES as readonly string[]).includes(type)) throw new ConfigError(variable, `unknown document type "${type}" (one of ${DOCUMENT_TYPES.join(', ')})`);
    if (engine !== 'builtin' && !knownEngines.includes(engine)) throw new ConfigError(variable, `unknown engine "${engine}" (one of builtin, ${knownEngines.join(', ')})`);
    routes[type as DocumentType] = engine;
  }
  return routes;
}
