-- The per-job order check ("is an earlier event of this job to this endpoint still open?") runs for every
-- delivery the intake records and every one a claim takes. Its only index choices were the due index (every open
-- row, by time) and the all-rows job index; planners picked the due index whenever statistics last saw few open
-- rows, which turned each check into a scan of every open delivery under a backlog. This index holds exactly the
-- rows the check looks for, keyed the way it looks.
SET LOCAL ROLE dph_migrator;

CREATE INDEX IF NOT EXISTS webhook_deliveries_open_job_idx
  ON public.webhook_deliveries (job_id, endpoint_key, seq)
  WHERE status IN ('pending', 'failed');
