import type { Principal } from '@dph/auth';
import { SCENE_PATTERN } from '@dph/contracts';

/**
 * Concrete scenes where the principal may see something: its submit grants and the scenes of its roles. A
 * wildcard role (`auditor:*`) names no concrete scene, so such callers name the scene (X-Tenant-Scene or `scene`).
 */
export function scenesToSearch(p: Principal, named: string | undefined): string[] {
  const out = new Set<string>();
  if (named && SCENE_PATTERN.test(named)) out.add(named);
  for (const s of p.scenes) out.add(s);
  for (const g of p.roles) if (g.scene !== '*') out.add(g.scene);
  return [...out];
}

/** May the principal see anything in this scene at all (submitter, operator, auditor)? */
export function hasSceneAccess(p: Principal, scene: string): boolean {
  return p.allScenes === true || p.scenes.includes(scene) || p.roles.some((g) => g.scene === '*' || g.scene === scene);
}
