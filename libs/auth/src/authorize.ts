import type { Principal, RoleName } from './principal.js';

/** The fields of a job that authorization looks at. */
export interface JobOwnership {
  readonly submitBy: string;
  readonly tenantScene: string;
}

function hasRole(p: Principal, role: RoleName, scene: string | undefined): boolean {
  return p.roles.some((g) => g.role === role && (g.scene === '*' || (scene !== undefined && g.scene === scene)));
}

/** The scene in X-Tenant-Scene must be granted by the token (deny by default). */
export function canSubmit(p: Principal, scene: string): boolean {
  return p.allScenes === true || p.scenes.includes(scene);
}

export function isOperator(p: Principal, scene: string): boolean {
  return hasRole(p, 'operator', scene);
}

/** Auditor of one scene; without a scene, only a global auditor (`auditor:*`) qualifies. */
export function isAuditor(p: Principal, scene?: string): boolean {
  return hasRole(p, 'auditor', scene);
}

/**
 * The submitter may read its own jobs while it still holds the scene; operators and auditors of the job's scene
 * may read every job of it.
 */
export function canReadJob(p: Principal, job: JobOwnership): boolean {
  if (job.submitBy === p.subject && canSubmit(p, job.tenantScene)) return true;
  return isOperator(p, job.tenantScene) || isAuditor(p, job.tenantScene);
}

/** Cancelling changes state: the submitter or an operator of the scene. Auditors stay read-only. */
export function canCancelJob(p: Principal, job: JobOwnership): boolean {
  if (job.submitBy === p.subject && canSubmit(p, job.tenantScene)) return true;
  return isOperator(p, job.tenantScene);
}

/** Scenes whose every job the principal may list (operator or auditor); '*' means all scenes. */
export function supervisedScenes(p: Principal): readonly string[] {
  return [...new Set(p.roles.map((g) => g.scene))];
}
