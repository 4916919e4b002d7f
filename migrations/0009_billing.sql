-- Billing (issue 10): plans, subscription state, the prepaid ledger, and who pays.
--
-- Every organization has one billing account, created in the same batch as the org itself
-- (so its ledger can take the trial credit at once); provisioning fills in the provider's
-- customer and subscription later. The account's `plan` is the org's own plan; an org whose
-- billing_mode is 'parent' is billed to, and follows the plan of, its nearest ancestor that
-- pays its own way (the payer).

-- own: this org's balance pays its charges; parent: the nearest ancestor paying its own way does.
ALTER TABLE organizations ADD COLUMN billing_mode TEXT NOT NULL DEFAULT 'own'
  CHECK (billing_mode IN ('own', 'parent'));
-- A partner may hold a child below its payer's plan limit (never above it).
ALTER TABLE organizations ADD COLUMN concurrency_cap INTEGER
  CHECK (concurrency_cap IS NULL OR concurrency_cap BETWEEN 0 AND 100000);
-- The user's first organization, made at sign-up: their personal context.
ALTER TABLE users ADD COLUMN personal_org_id TEXT;
UPDATE users SET personal_org_id = (
  SELECT o.id FROM organizations o
  WHERE o.created_by = users.id AND o.parent_id IS NULL
  ORDER BY o.created_at, o.id LIMIT 1
);

-- A top-level org has no parent to pay for it.
CREATE TRIGGER organizations_top_level_pays_own_insert
BEFORE INSERT ON organizations WHEN NEW.parent_id IS NULL AND NEW.billing_mode <> 'own'
BEGIN SELECT RAISE(ABORT, 'billing_mode_parent_needs_parent'); END;
CREATE TRIGGER organizations_top_level_pays_own_update
BEFORE UPDATE OF billing_mode ON organizations WHEN NEW.parent_id IS NULL AND NEW.billing_mode <> 'own'
BEGIN SELECT RAISE(ABORT, 'billing_mode_parent_needs_parent'); END;

CREATE TABLE billing_accounts_v2 (
  org_id TEXT PRIMARY KEY REFERENCES organizations(id) ON DELETE CASCADE,
  provider TEXT NOT NULL,
  customer_id TEXT,
  subscription_id TEXT,
  plan TEXT NOT NULL DEFAULT 'free' CHECK (plan IN ('free', 'smb', 'agency', 'enterprise')),
  status TEXT NOT NULL DEFAULT 'trialing' CHECK (status IN ('trialing', 'active', 'past_due', 'canceled')),
  trial_ends_at INTEGER,
  cancel_at_period_end INTEGER NOT NULL DEFAULT 0 CHECK (cancel_at_period_end IN (0, 1)),
  current_period_end INTEGER,
  -- The `created` time (epoch seconds) of the provider event whose subscription state is
  -- applied here: an older event never moves the state back.
  subscription_version INTEGER NOT NULL DEFAULT 0,
  -- sum(ledger_entries.amount_cents) of this account, kept equal by the trigger below.
  balance_cents INTEGER NOT NULL DEFAULT 0,
  -- Entries booked so far: orders the balance pushed to Durable Objects (an older push loses).
  ledger_version INTEGER NOT NULL DEFAULT 0,
  currency TEXT NOT NULL DEFAULT 'usd',
  -- Enterprise limits are set by the operator (SQL), not by a plan.
  concurrency_override INTEGER CHECK (concurrency_override IS NULL OR concurrency_override BETWEEN 0 AND 100000),
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
INSERT INTO billing_accounts_v2 (org_id, provider, customer_id, subscription_id, plan, status, created_at, updated_at)
  SELECT org_id, provider, customer_id, subscription_id,
         CASE WHEN plan IN ('free', 'smb', 'agency', 'enterprise') THEN plan ELSE 'free' END,
         'trialing', created_at, updated_at
  FROM billing_accounts;
INSERT INTO billing_accounts_v2 (org_id, provider, plan, status, created_at, updated_at)
  SELECT id, 'local', 'free', 'trialing', created_at, updated_at FROM organizations
  WHERE id NOT IN (SELECT org_id FROM billing_accounts);
DROP TABLE billing_accounts;
ALTER TABLE billing_accounts_v2 RENAME TO billing_accounts;

-- The append-only ledger. A balance is the sum of its account's entries. `reference` names
-- what an entry books (a payment, a usage record, a trial) and is unique, so the same
-- thing booked twice — a replayed webhook, a redelivered usage message — is booked once.
CREATE TABLE ledger_entries (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  org_id TEXT NOT NULL REFERENCES billing_accounts(org_id) ON DELETE CASCADE,
  kind TEXT NOT NULL CHECK (kind IN ('trial_credit', 'top_up', 'usage_charge', 'adjustment', 'refund')),
  amount_cents INTEGER NOT NULL,
  balance_after_cents INTEGER,
  reference TEXT NOT NULL UNIQUE,
  -- The org whose activity this is (a child paying through its agency), and its usage record.
  source_org_id TEXT,
  usage_event_key TEXT,
  description TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX ledger_entries_by_org ON ledger_entries(org_id, seq);
CREATE INDEX ledger_entries_by_source ON ledger_entries(source_org_id, created_at);

CREATE TRIGGER ledger_entries_book AFTER INSERT ON ledger_entries
BEGIN
  UPDATE billing_accounts
    SET balance_cents = balance_cents + NEW.amount_cents, ledger_version = ledger_version + 1
    WHERE org_id = NEW.org_id;
  UPDATE ledger_entries
    SET balance_after_cents = (SELECT balance_cents FROM billing_accounts WHERE org_id = NEW.org_id)
    WHERE seq = NEW.seq;
END;
CREATE TRIGGER ledger_entries_append_only
BEFORE UPDATE OF org_id, kind, amount_cents, reference, source_org_id, usage_event_key ON ledger_entries
BEGIN SELECT RAISE(ABORT, 'ledger_append_only'); END;

-- Provider events applied, by id: an event is applied once, in the batch of its effect.
CREATE TABLE billing_events (
  id TEXT PRIMARY KEY,
  type TEXT NOT NULL,
  org_id TEXT,
  created INTEGER NOT NULL,
  applied_at INTEGER NOT NULL
);

-- Local provider objects now include checkout sessions and portal sessions.
CREATE TABLE local_billing_objects_v2 (
  idempotency_key TEXT PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  kind TEXT NOT NULL CHECK (kind IN ('customer', 'subscription', 'checkout_session', 'portal_session')),
  data TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
INSERT INTO local_billing_objects_v2 SELECT * FROM local_billing_objects;
DROP TABLE local_billing_objects;
ALTER TABLE local_billing_objects_v2 RENAME TO local_billing_objects;
