-- Issue 9, item 1: the per-user security log.

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
