-- Members, invitations and the audit log.

-- Member lists page by join date.
CREATE INDEX memberships_org_joined_idx ON memberships(org_id, created_at, user_id);

-- status is stored as pending/accepted/declined/revoked; "expired" is a pending invitation
-- whose expires_at has passed (computed when read). The partial unique index allows one
-- pending invitation per e-mail and org, so asking again can only update (resend) it.
CREATE TABLE invitations (
  id TEXT PRIMARY KEY,
  org_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  email TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('admin', 'member', 'viewer')),
  status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'accepted', 'declined', 'revoked')),
  valid_days INTEGER NOT NULL CHECK (valid_days BETWEEN 1 AND 30),
  send_count INTEGER NOT NULL DEFAULT 1,
  invited_by TEXT,
  expires_at INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  responded_at INTEGER
);
CREATE UNIQUE INDEX invitations_one_pending ON invitations(org_id, email) WHERE status = 'pending';
CREATE INDEX invitations_org_idx ON invitations(org_id, status, id);
CREATE INDEX invitations_email_idx ON invitations(email, status);

-- Who changed what, written in the same batch as the change. No foreign key to
-- organizations: the entries (including the deletion's own) outlive a deleted org.
CREATE TABLE audit_log (
  id TEXT PRIMARY KEY,
  org_id TEXT NOT NULL,
  actor_user_id TEXT,
  credential_id TEXT,            -- the session, PAT or API key used
  credential_kind TEXT NOT NULL CHECK (credential_kind IN ('session', 'pat', 'api_key', 'system')),
  action TEXT NOT NULL,
  target_type TEXT NOT NULL,
  target_id TEXT,
  before TEXT,                   -- JSON
  after TEXT,                    -- JSON
  request_id TEXT,
  created_at INTEGER NOT NULL
);
CREATE INDEX audit_log_org_idx ON audit_log(org_id, id);

-- A statement that inserts into this table aborts its whole D1 batch (CHECK (0) refuses
-- every row). `INSERT INTO batch_guard SELECT … WHERE changes() = 0` (src/db/guard.ts)
-- turns "the previous statement changed no row" (a concurrent request won) into a
-- rolled-back batch.
CREATE TABLE batch_guard (
  reason TEXT,
  CONSTRAINT stale_write CHECK (0)
);
