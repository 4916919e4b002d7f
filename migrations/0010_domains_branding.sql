-- Custom domains and branding (issue 11).
--
-- `organizations.domain` (UNIQUE since 0001) stays the one-domain-per-org and uniqueness
-- guarantee, and `organizations.domain_setup_status` the mirror the partner console reads
-- (none | pending | active | failed). The verification state lives here, one row per org
-- that has claimed a domain; it is written in the same batch as those two columns.
CREATE TABLE org_domains (
  org_id TEXT PRIMARY KEY REFERENCES organizations(id) ON DELETE CASCADE,
  domain TEXT NOT NULL UNIQUE,
  status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'active', 'failed')),
  -- Our challenge token: the TXT record `_anyreach-challenge.<domain>` = `anyreach-verify=<token>`.
  token TEXT NOT NULL,
  -- The TXT record the customer must create (ours, or the provider's ownership record).
  txt_name TEXT NOT NULL,
  txt_value TEXT NOT NULL,
  -- The provider's id for the hostname (Cloudflare custom hostname id), if any.
  provider_ref TEXT,
  reason TEXT,
  -- Checks since the domain last became pending, and when that was (the give-up clock).
  attempts INTEGER NOT NULL DEFAULT 0,
  pending_since INTEGER,
  checked_at INTEGER,
  next_check_at INTEGER NOT NULL,
  activated_at INTEGER,
  created_at INTEGER NOT NULL
);
-- The cron picks the due rows: pending and active ones whose next check has come.
CREATE INDEX org_domains_due ON org_domains (next_check_at) WHERE status IN ('pending', 'active');

-- Branding an org sets for itself; a NULL field is inherited from the nearest ancestor setting it.
CREATE TABLE org_branding (
  org_id TEXT PRIMARY KEY REFERENCES organizations(id) ON DELETE CASCADE,
  display_name TEXT,
  logo_url TEXT,
  icon_url TEXT,
  primary_color TEXT,
  accent_color TEXT,
  support_email TEXT,
  hide_product_name INTEGER,
  updated_at INTEGER NOT NULL
);

-- What the local DNS resolver answers (DOMAIN_PROVIDER=local; set with POST /dev/dns in development).
CREATE TABLE dev_dns_records (
  type TEXT NOT NULL,
  name TEXT NOT NULL,
  value TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (type, name)
);
