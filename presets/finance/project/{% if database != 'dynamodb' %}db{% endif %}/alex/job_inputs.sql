-- The job input of each Alex user, built from Alex's users, accounts and positions tables
-- (in the schema `alex`, as for copy_jobs.sql): one row per user, ready to POST to /jobs.
-- Alex's own defaults fill what a user has not set (30 years, 80,000 a year); the annual
-- contribution, which Alex did not store, takes the input's default.

SELECT
    u.clerk_user_id AS user_id,
    jsonb_build_object(
        'years_until_retirement', COALESCE(u.years_until_retirement, 30),
        'target_retirement_income', COALESCE(u.target_retirement_income, 80000)::float8,
        'accounts', COALESCE(
            (
                SELECT jsonb_agg(
                    jsonb_build_object(
                        'account_name', a.account_name,
                        'cash_balance', COALESCE(a.cash_balance, 0)::float8,
                        'positions', COALESCE(
                            (
                                SELECT jsonb_agg(
                                    jsonb_build_object(
                                        'symbol', p.symbol, 'quantity', p.quantity::float8
                                    )
                                    ORDER BY p.symbol
                                )
                                FROM alex.positions AS p
                                WHERE p.account_id = a.id
                            ),
                            '[]'::jsonb
                        )
                    )
                    ORDER BY a.created_at, a.account_name
                )
                FROM alex.accounts AS a
                WHERE a.clerk_user_id = u.clerk_user_id
            ),
            '[]'::jsonb
        )
    ) AS input
FROM alex.users AS u
ORDER BY u.clerk_user_id;
