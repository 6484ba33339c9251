import { SCENE_PATTERN } from '@dph/contracts';

export const ROLE_NAMES = ['operator', 'auditor'] as const;
export type RoleName = (typeof ROLE_NAMES)[number];

/** A role grant: `operator:credit` is { role: 'operator', scene: 'credit' }; `auditor:*` has scene '*'. */
export interface RoleGrant {
  readonly role: RoleName;
  readonly scene: string;
}

/** Who is calling, as far as authorization is concerned. Built from verified claims only. */
export interface Principal {
  readonly subject: string;
  /** Scenes the subject may submit to and read its own jobs in. */
  readonly scenes: readonly string[];
  readonly roles: readonly RoleGrant[];
  /** Set only by the development trust-all mode: every scene is granted. */
  readonly allScenes?: boolean;
}

const MAX_SUBJECT_LENGTH = 256;
const MAX_GRANTS = 256;

function stringList(value: unknown): string[] {
  if (typeof value === 'string') return value.split(/\s+/).filter(Boolean);
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  return [];
}

export function parseRole(entry: string): RoleGrant | undefined {
  const i = entry.indexOf(':');
  if (i <= 0) return undefined;
  const role = entry.slice(0, i);
  const scene = entry.slice(i + 1);
  if (!(ROLE_NAMES as readonly string[]).includes(role)) return undefined;
  if (scene !== '*' && !SCENE_PATTERN.test(scene)) return undefined;
  return { role: role as RoleName, scene };
}

/**
 * Builds a Principal from a verified claim set. Claims that are malformed are ignored (they grant nothing) rather
 * than rejected, so an IdP adding unrelated entries to the claim does not lock callers out. Returns undefined when
 * there is no usable subject.
 */
export function principalFromClaims(
  claims: Record<string, unknown>,
  scenesClaim: string,
  rolesClaim: string,
): Principal | undefined {
  const sub = claims.sub;
  if (typeof sub !== 'string' || sub.length === 0 || sub.length > MAX_SUBJECT_LENGTH) return undefined;
  const scenes = [...new Set(stringList(claims[scenesClaim]).filter((s) => SCENE_PATTERN.test(s)))].slice(0, MAX_GRANTS);
  const roles: RoleGrant[] = [];
  for (const entry of stringList(claims[rolesClaim]).slice(0, MAX_GRANTS)) {
    const grant = parseRole(entry);
    if (grant) roles.push(grant);
  }
  return Object.freeze({ subject: sub, scenes: Object.freeze(scenes), roles: Object.freeze(roles) });
}
