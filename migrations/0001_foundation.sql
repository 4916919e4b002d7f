-- Foundation: users, organizations, memberships, sign-in, sessions and credentials.

CREATE TABLE users (
  id TEXT PRIMARY KEY,
  email TEXT NOT NULL UNIQUE,
  name TEXT,
  email_verified_at INTEGER,
  created_at INTEGER NOT NULL
);

CREATE TABLE organizations (
  id TEXT PRIMARY KEY,
  slug TEXT NOT NULL UNIQUE CHECK (slug NOT GLOB '*[^a-z0-9-]*' AND length(slug) BETWEEN 1 AND 63),
  name TEXT NOT NULL,
  parent_id TEXT REFERENCES organizations(id),
  status TEXT NOT NULL DEFAULT 'provisioning'
    CHECK (status IN ('provisioning', 'active', 'suspended', 'provisioning_failed')),
  avatar_url TEXT,
  billing_email TEXT,
  billing_address TEXT,          -- JSON object
  phone_numbers TEXT NOT NULL DEFAULT '[]', -- JSON array of E.164 strings
  plan TEXT NOT NULL DEFAULT 'free',
  concurrency_limit INTEGER NOT NULL DEFAULT 1,
  domain TEXT UNIQUE,
  domain_setup_status TEXT NOT NULL DEFAULT 'none',
  created_by TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  CHECK (parent_id IS NULL OR parent_id <> id)
);
CREATE INDEX organizations_parent_idx ON organizations(parent_id, id);

-- A renamed slug keeps resolving to its organization until expires_at.
CREATE TABLE org_slug_history (
  slug TEXT PRIMARY KEY,
  org_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  expires_at INTEGER NOT NULL
);
CREATE INDEX org_slug_history_org_idx ON org_slug_history(org_id);

-- roles is a comma-separated, sorted list of role ids. is_owner is derived from it
-- so the partial unique index below makes a second owner impossible at the database level.
CREATE TABLE memberships (
  org_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  roles TEXT NOT NULL CHECK (length(roles) > 0),
  is_owner INTEGER GENERATED ALWAYS AS (instr(',' || roles || ',', ',owner,') > 0) VIRTUAL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (org_id, user_id)
);
CREATE UNIQUE INDEX memberships_one_owner ON memberships(org_id) WHERE is_owner = 1;
CREATE INDEX memberships_user_idx ON memberships(user_id);

CREATE TABLE email_codes (
  email TEXT PRIMARY KEY,
  code_hash TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  expires_at INTEGER NOT NULL,
  created_at INTEGER NOT NULL
);

CREATE TABLE sessions (
  id TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  revoked_at INTEGER,
  user_agent TEXT
);
CREATE INDEX sessions_user_idx ON sessions(user_id);

-- User personal access tokens (pat_...). Only the SHA-256 of the secret is stored.
CREATE TABLE personal_tokens (
  id TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  token_hash TEXT NOT NULL UNIQUE,
  token_hint TEXT NOT NULL,
  scopes TEXT NOT NULL,          -- JSON array
  expires_at INTEGER,
  last_used_at INTEGER,
  revoked_at INTEGER,
  created_at INTEGER NOT NULL
);
CREATE INDEX personal_tokens_user_idx ON personal_tokens(user_id, created_at);

-- Organization API keys (ak_<id>.<secret>).
CREATE TABLE api_keys (
  id TEXT PRIMARY KEY,
  org_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  token_hash TEXT NOT NULL UNIQUE,
  token_hint TEXT NOT NULL,
  scopes TEXT NOT NULL,          -- JSON array
  created_by TEXT,
  expires_at INTEGER,
  last_used_at INTEGER,
  revoked_at INTEGER,
  created_at INTEGER NOT NULL
);
CREATE INDEX api_keys_org_idx ON api_keys(org_id, created_at);

-- Mail kept by the local mail adapter (development only) and the idempotency
-- record every mail delivery goes through (a redelivered queue message sends nothing twice).
CREATE TABLE email_deliveries (
  message_key TEXT PRIMARY KEY,
  recipient TEXT NOT NULL,
  subject TEXT NOT NULL,
  body TEXT NOT NULL,
  provider TEXT NOT NULL,
  sent_at INTEGER NOT NULL
);
CREATE INDEX email_deliveries_recipient_idx ON email_deliveries(recipient, sent_at);

-- A slug is unique across live organizations AND renamed slugs still in their grace period.
CREATE TRIGGER organizations_slug_not_in_history_insert
BEFORE INSERT ON organizations
WHEN EXISTS (SELECT 1 FROM org_slug_history h
             WHERE h.slug = NEW.slug AND h.org_id <> NEW.id
               AND h.expires_at > (julianday('now') - 2440587.5) * 86400000.0)
BEGIN SELECT RAISE(ABORT, 'slug_taken'); END;

CREATE TRIGGER organizations_slug_not_in_history_update
BEFORE UPDATE OF slug ON organizations
WHEN EXISTS (SELECT 1 FROM org_slug_history h
             WHERE h.slug = NEW.slug AND h.org_id <> NEW.id
               AND h.expires_at > (julianday('now') - 2440587.5) * 86400000.0)
BEGIN SELECT RAISE(ABORT, 'slug_taken'); END;
