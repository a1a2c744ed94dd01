-- Sign-in throttling (issue 15): failed sign-ins counted in the database, so every replica
-- behind the load balancer applies the same budget. One row per key and fixed window:
--   account_address: one account (email, lower-cased) from one client address;
--   address:         one client address, whatever the account.
-- Keys are SHA-256 digests: the table holds neither emails nor addresses in clear.
CREATE TABLE sign_in_throttle (
    key               BYTEA       PRIMARY KEY,
    scope             TEXT        NOT NULL,
    window_started_at TIMESTAMPTZ NOT NULL,
    failures          INTEGER     NOT NULL,
    CONSTRAINT sign_in_throttle_scope_check CHECK (scope IN ('account_address', 'address')),
    CONSTRAINT sign_in_throttle_failures_check CHECK (failures >= 0)
);

-- Expired windows are pruned by age.
CREATE INDEX sign_in_throttle_window_started_at_idx ON sign_in_throttle (window_started_at);

COMMENT ON TABLE sign_in_throttle IS
    'Failed sign-ins per (account, client address) and per client address in fixed windows; keys are SHA-256 digests';
