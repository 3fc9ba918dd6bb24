-- What each agent's model calls cost, in USD (NULL: unpriced, or recorded before this column).
ALTER TABLE agent_results ADD COLUMN cost_usd double precision;
