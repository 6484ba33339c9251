-- Per-job delivery order across dispatchers (added by the webhooks owner).
-- A job's events leave the producers in order, but two dispatcher replicas (or a redelivered message) can record
-- a later event before an earlier one exists; the open-delivery check alone then sends the later one first.
-- A job's states only move forward along one path (queued, parsing, postproc, then one terminal state), and each
-- transition bumps jobs.event_seq, so an event's position in its job is known: the state's rank, or for a
-- terminal event the job's final event_seq. A delivery waits until every earlier position of its job has been
-- recorded (or until the dispatcher's order hold runs out, for a predecessor that never comes).
--  * webhook_job_progress.seen: bit i set once the job's event at position i is recorded (any endpoint, or none);
--    terminal_pos: the position of its terminal event once that is recorded. A row whose terminal event and every
--    earlier position are in is complete, and the dispatcher deletes it once the order hold has passed.
--  * webhook_deliveries.job_pos: the event's position; NULL when it is not known (no such job row).
SET LOCAL ROLE dph_migrator;

CREATE TABLE IF NOT EXISTS public.webhook_job_progress (
  job_id       uuid PRIMARY KEY,
  seen         integer NOT NULL DEFAULT 0 CHECK (seen >= 0),
  terminal_pos integer CHECK (terminal_pos IS NULL OR terminal_pos BETWEEN 0 AND 30),
  updated_at   timestamptz NOT NULL DEFAULT now()
);
-- Job ids and bit masks only (no scene data): no row-level security, like processed_events.
GRANT SELECT, INSERT, UPDATE, DELETE ON public.webhook_job_progress TO dph_dispatcher;
CREATE INDEX IF NOT EXISTS webhook_job_progress_age_idx ON public.webhook_job_progress (updated_at);

ALTER TABLE public.webhook_deliveries ADD COLUMN IF NOT EXISTS job_pos integer CHECK (job_pos IS NULL OR job_pos BETWEEN 0 AND 30);
