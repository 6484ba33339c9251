-- The per-job order check no longer uses webhook_deliveries_open_job_idx (migration 0080): it is spelled so that
-- only webhook_deliveries_job_idx (job, endpoint, seq) can answer it, because the planner kept preferring the partial
-- due index over 0080's index whenever statistics saw few open rows. No other query reads 0080's index (no scans
-- over a benchmark run), and every delivery insert and open-state update still had to maintain it.
SET LOCAL ROLE dph_migrator;

DROP INDEX IF EXISTS public.webhook_deliveries_open_job_idx;
