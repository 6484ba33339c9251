import { DphError } from '@dph/errors';
import { ERROR_CODES, JOB_STATUSES, type JobStatus } from '@dph/contracts';

/** Webhook event names are the job event routing keys (`job.<status>`); `job.*` means all of them. */
export const WEBHOOK_EVENT_NAMES: readonly string[] = JOB_STATUSES.map((s) => `job.${s}`);
export const ALL_JOB_EVENTS = 'job.*';

export const eventNameOf = (status: JobStatus | string): string => `job.${status}`;

/** Validates and normalizes (dedupes, sorts) an event filter given at registration or with a per-job callback. */
export function validateEventFilter(input: unknown): string[] {
  if (input === undefined || input === null) return [ALL_JOB_EVENTS];
  if (!Array.isArray(input) || input.length === 0 || input.length > 16) {
    throw invalid('eventFilter must be a non-empty array of event names');
  }
  const out = new Set<string>();
  for (const item of input) {
    if (typeof item !== 'string') throw invalid('eventFilter entries must be strings');
    const name = item.trim();
    if (name !== ALL_JOB_EVENTS && !WEBHOOK_EVENT_NAMES.includes(name)) {
      throw invalid(`unknown event name in eventFilter (allowed: ${ALL_JOB_EVENTS}, ${WEBHOOK_EVENT_NAMES.join(', ')})`);
    }
    out.add(name);
  }
  return out.has(ALL_JOB_EVENTS) ? [ALL_JOB_EVENTS] : [...out].sort();
}

export function filterMatches(filter: readonly string[], eventName: string): boolean {
  return filter.length === 0 || filter.includes(ALL_JOB_EVENTS) || filter.includes(eventName);
}

function invalid(message: string): DphError {
  return new DphError(ERROR_CODES.validationFailed, message, { status: 422, details: { field: 'eventFilter' } });
}
