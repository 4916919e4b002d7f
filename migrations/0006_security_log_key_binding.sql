-- Issue 9, items 1 and 4: the per-user security log, and org API keys bound to their creator.

-- What happened to a user's own credentials (PATs created or revoked, sessions begun or
-- ended), readable by that user at GET /admin/account/security-log. Each row is written in
-- the same batch as the change it records. actor_kind/actor_credential_id name the
-- credential that made the change ('sign_in' for a session begun by signing in, 'system' for
-- changes made by the service itself).
CREATE TABLE security_log (
  id TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  action TEXT NOT NULL
    CHECK (action IN ('personal_token.created', 'personal_token.revoked', 'session.created', 'session.revoked')),
  target_id TEXT NOT NULL,
  actor_kind TEXT NOT NULL CHECK (actor_kind IN ('session', 'pat', 'sign_in', 'system')),
  actor_credential_id TEXT,
  request_id TEXT,
  ip TEXT,
  user_agent TEXT,
  details TEXT,                  -- JSON object (name, scopes, expires_at of a new PAT)
  created_at INTEGER NOT NULL
);
CREATE INDEX security_log_user_idx ON security_log(user_id, id);

-- An org API key made by a user acts with at most that user's current power in the org
-- (its scopes ∩ the creator's current role scopes; none once the creator has left), until
-- an owner keeps it (POST /admin/organization-pats/{key_id}/keep): kept_by/kept_at say who
-- and when, and bound_to_creator turns 0. Existing keys with a creator are bound from now on;
-- keys without one (made by the system or by another key before this migration) are not.
ALTER TABLE api_keys ADD COLUMN bound_to_creator INTEGER NOT NULL DEFAULT 0 CHECK (bound_to_creator IN (0, 1));
ALTER TABLE api_keys ADD COLUMN kept_by TEXT;
ALTER TABLE api_keys ADD COLUMN kept_at INTEGER;
UPDATE api_keys SET bound_to_creator = 1 WHERE created_by IS NOT NULL;
