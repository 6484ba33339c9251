/**
 * The BOLA matrix on the running API: alice's job in the credit scene against every route that takes a job id,
 * for a second submitter of the same scene, a submitter of another scene, the scene's operator and an auditor.
 */
import { devAccessToken, type DevIdentity } from '@dph/testkit';
import { expectStatus, type CheckResult } from '../check.js';
import { call, submitText } from '../http.js';

type Want = { read: number; cancel: number; audit: number };

export async function bolaChecks(): Promise<CheckResult[]> {
  const tokens = Object.fromEntries(
    await Promise.all((['alice', 'bob', 'olivia', 'victor'] as DevIdentity[]).map(async (id) => [id, await devAccessToken(id)] as const)),
  ) as Record<DevIdentity, string>;
  const out: CheckResult[] = [];
  const jobId = await submitText(tokens.alice, 'credit', 'BOLA probe document.');
  const hrJob = await submitText(tokens.alice, 'hr', 'BOLA probe document in another scene.');
  // [caller, scene header, job, expected read, audit, cancel]. Read-only callers first; the one allowed
  // cancellation (the scene's operator) comes last but one, then the submitter sees the job as terminal.
  const matrix: Array<[DevIdentity, string, string, Want]> = [
    ['bob', 'credit', jobId, { read: 404, cancel: 404, audit: 404 }],
    ['olivia', 'credit', hrJob, { read: 404, cancel: 404, audit: 404 }],
    ['bob', 'credit', hrJob, { read: 404, cancel: 404, audit: 404 }],
    ['victor', 'credit', jobId, { read: 200, cancel: 403, audit: 200 }],
    ['victor', 'hr', hrJob, { read: 200, cancel: 403, audit: 200 }],
    ['olivia', 'credit', jobId, { read: 200, cancel: 200, audit: 200 }],
    ['alice', 'credit', jobId, { read: 200, cancel: 409, audit: 200 }],
  ];
  for (const [who, scene, job, want] of matrix) {
    const tag = `bola: ${who} (${scene}) on ${job === jobId ? "alice's credit job" : "alice's hr job"}`;
    const read = await call('GET', `/v1/jobs/${job}`, { token: tokens[who], scene });
    out.push(expectStatus(`${tag} GET`, read.status, want.read));
    const audit = await call('GET', `/v1/jobs/${job}/audit`, { token: tokens[who], scene });
    out.push(expectStatus(`${tag} GET audit`, audit.status, want.audit));
    const cancel = await call('POST', `/v1/jobs/${job}/cancel`, { token: tokens[who], scene });
    // An auditor reads but does not act: 403 and 404 both deny without changing the job.
    // An auditor reads but does not act: 403 and 404 both deny without changing the job. For an allowed caller,
    // 409 already_terminal also shows the authorization passed: small jobs often finish before the cancel lands.
    const wanted = want.cancel === 403 ? [403, 404] : want.cancel === 200 || want.cancel === 409 ? [200, 409] : [want.cancel];
    out.push(expectStatus(`${tag} cancel`, cancel.status, wanted));
  }
  const bobList = await call('GET', '/v1/jobs?limit=100', { token: tokens.bob, scene: 'credit' });
  const leaked = JSON.stringify(bobList.body).includes(jobId);
  out.push({ name: 'bola: another subject does not list the job', ok: bobList.status === 200 && !leaked, detail: `status ${bobList.status}, listed=${leaked}` });
  const unscoped = await call('POST', '/v1/jobs', { token: tokens.bob, scene: 'hr', json: { business_ref: 'x', source: { type: 'inner_oss_ref', url_or_ref: 's3://dph-raw/x' } } });
  out.push(expectStatus('bola: submit to an ungranted scene is 403 scene_not_granted', unscoped.status, 403, String(unscoped.body.error ?? '')));
  if (unscoped.body.error !== 'scene_not_granted') out[out.length - 1]!.ok = false;
  const auditAll = await call('GET', '/v1/audit?scene=credit&limit=1', { token: tokens.alice, scene: 'credit' });
  out.push(expectStatus('bola: the audit search needs the auditor role', auditAll.status, 403));
  const auditByAuditor = await call('GET', '/v1/audit?scene=credit&limit=1', { token: tokens.victor, scene: 'credit' });
  out.push(expectStatus('bola: the auditor may search the audit trail', auditByAuditor.status, 200));
  return out;
}
