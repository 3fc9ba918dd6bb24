-- Copy Alex's jobs and their agents' payloads into this project's jobs and agent_results.
--
-- Reads Alex's tables in the schema `alex` of this database (docs/migrating-from-alex.md shows
-- two ways to get them there) and writes this project's tables (run `migrate` first). Safe to
-- run again: rows already copied are left as they are. The agent names are the finance
-- preset's: change them here if your agents.yaml names the agents otherwise.
--
-- Alex's columns                        -> here
--   jobs.id, clerk_user_id, job_type    -> jobs.id, user_id, job_type
--   status, error_message               -> status, error (a job Alex had not finished is
--                                          copied as failed, saying so: it will not run here)
--   request_payload                     -> input (as it was; it is not checked again)
--   created/started/completed/updated   -> the same, read as UTC
--   report_payload                      -> agent_results (reporter)
--   charts_payload                      -> agent_results (charter), as {"charts": [...]}
--   retirement_payload                  -> agent_results (retirement)
--   summary_payload                     -> agent_results (planner)

BEGIN;

INSERT INTO jobs (
    id, user_id, job_type, status, input, error, steps, attempt,
    created_at, started_at, completed_at, updated_at
)
SELECT
    j.id::text,
    COALESCE(j.clerk_user_id, ''),
    COALESCE(j.job_type, 'portfolio_analysis'),
    CASE WHEN j.status IN ('completed', 'failed') THEN j.status ELSE 'failed' END,
    CASE
        WHEN jsonb_typeof(j.request_payload) = 'object' THEN j.request_payload
        WHEN j.request_payload IS NULL THEN '{}'::jsonb
        ELSE jsonb_build_object('request_payload', j.request_payload)
    END,
    CASE
        WHEN j.status IN ('completed', 'failed') THEN j.error_message
        ELSE concat_ws(
            ': ',
            'not finished in Alex when it was migrated (status ' || COALESCE(j.status, 'none') || ')',
            j.error_message
        )
    END,
    '[]'::jsonb,
    1,
    COALESCE(j.created_at AT TIME ZONE 'UTC', now()),
    j.started_at AT TIME ZONE 'UTC',
    COALESCE(j.completed_at, j.updated_at) AT TIME ZONE 'UTC',
    COALESCE(COALESCE(j.updated_at, j.created_at) AT TIME ZONE 'UTC', now())
FROM alex.jobs AS j
ON CONFLICT (id) DO NOTHING;

INSERT INTO agent_results (
    job_id, agent, status, output, error, duration_ms, attempts, tokens, created_at
)
SELECT
    j.id::text,
    payload.agent,
    'ok',
    CASE
        WHEN jsonb_typeof(payload.output) = 'object' THEN payload.output
        ELSE jsonb_build_object('value', payload.output)
    END,
    NULL,
    0,
    1,
    0,
    COALESCE(COALESCE(j.completed_at, j.updated_at, j.created_at) AT TIME ZONE 'UTC', now())
FROM alex.jobs AS j
CROSS JOIN LATERAL (
    VALUES
        ('reporter', j.report_payload),
        (
            'charter',
            -- Alex keyed its charts by name; here they are a list, each with its key. Entries
            -- that are not charts stay next to the list.
            CASE
                WHEN j.charts_payload IS NULL
                    OR jsonb_typeof(j.charts_payload) <> 'object'
                    OR j.charts_payload ? 'charts'
                    THEN j.charts_payload
                ELSE (
                    SELECT
                        jsonb_build_object(
                            'charts',
                            COALESCE(
                                jsonb_agg(jsonb_build_object('key', c.key) || c.value ORDER BY c.key)
                                    FILTER (WHERE jsonb_typeof(c.value) = 'object'),
                                '[]'::jsonb
                            )
                        )
                        || COALESCE(
                            jsonb_object_agg(c.key, c.value)
                                FILTER (WHERE jsonb_typeof(c.value) <> 'object'),
                            '{}'::jsonb
                        )
                    FROM jsonb_each(j.charts_payload) AS c
                )
            END
        ),
        ('retirement', j.retirement_payload),
        ('planner', j.summary_payload)
) AS payload (agent, output)
WHERE payload.output IS NOT NULL AND payload.output <> 'null'::jsonb
ON CONFLICT (job_id, agent) DO NOTHING;

COMMIT;
