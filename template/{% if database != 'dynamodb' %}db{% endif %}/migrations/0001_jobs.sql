-- Jobs and their agents' results (the fields of src/*/runtime/records.py).
-- Applied by `python -m <package> migrate`; a statement ends with ';' at the end of a line.

CREATE TABLE jobs (
    id text PRIMARY KEY,
    user_id text NOT NULL,
    job_type text NOT NULL,
    status text NOT NULL CHECK (status IN ('pending', 'running', 'completed', 'failed')),
    input jsonb NOT NULL,
    error text,
    steps jsonb NOT NULL DEFAULT '[]',
    attempt integer NOT NULL DEFAULT 0,
    lease_until timestamptz,
    created_at timestamptz NOT NULL,
    started_at timestamptz,
    completed_at timestamptz,
    updated_at timestamptz NOT NULL
);

-- A user's jobs, newest first, paged by (created_at, id).
CREATE INDEX jobs_by_user ON jobs (user_id, created_at DESC, id DESC);

-- One row per (job, agent), upserted by the agent's worker.
CREATE TABLE agent_results (
    job_id text NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    agent text NOT NULL,
    status text NOT NULL CHECK (status IN ('ok', 'error')),
    output jsonb,
    error text,
    duration_ms integer NOT NULL,
    attempts integer NOT NULL,
    tokens integer NOT NULL,
    created_at timestamptz NOT NULL,
    PRIMARY KEY (job_id, agent)
);
