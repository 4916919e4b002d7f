-- Provisioning (outbox + recorded steps), billing/telephony adapter state, org resources
-- (agents, knowledge bases, phone numbers, web widgets), call records and usage metering.

-- The provisioning outbox: written in the org-creation batch, so a crash between the
-- commit and the queue send loses nothing (the cron re-sends rows not acknowledged).
CREATE TABLE provisioning_jobs (
  org_id TEXT PRIMARY KEY REFERENCES organizations(id) ON DELETE CASCADE,
  state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'succeeded', 'failed')),
  failure_reason TEXT,
  sends INTEGER NOT NULL DEFAULT 0,
  enqueued_at INTEGER,
  acked_at INTEGER,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  completed_at INTEGER
);
CREATE INDEX provisioning_jobs_unacked_idx ON provisioning_jobs(created_at) WHERE state = 'pending' AND acked_at IS NULL;

CREATE TABLE provisioning_steps (
  org_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  step TEXT NOT NULL CHECK (step IN ('identity', 'billing', 'telephony', 'knowledge_base')),
  position INTEGER NOT NULL,
  status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'running', 'succeeded', 'failed')),
  attempts INTEGER NOT NULL DEFAULT 0,
  last_error TEXT,
  started_at INTEGER,
  finished_at INTEGER,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (org_id, step)
);

-- Test-only failure injection, read only when FAULT_INJECTION = "enabled".
-- org_ref is an org id or slug; each matching step run consumes one failure.
CREATE TABLE fault_injections (
  step TEXT NOT NULL,
  org_ref TEXT NOT NULL,
  remaining INTEGER NOT NULL,
  message TEXT NOT NULL DEFAULT 'injected failure',
  PRIMARY KEY (step, org_ref)
);

CREATE TABLE billing_accounts (
  org_id TEXT PRIMARY KEY REFERENCES organizations(id) ON DELETE CASCADE,
  provider TEXT NOT NULL,
  customer_id TEXT NOT NULL,
  subscription_id TEXT NOT NULL,
  plan TEXT NOT NULL,
  billing_email TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);

-- The local billing provider's objects. The idempotency key plays Stripe's role:
-- the same key always yields the same object.
CREATE TABLE local_billing_objects (
  idempotency_key TEXT PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  kind TEXT NOT NULL CHECK (kind IN ('customer', 'subscription')),
  data TEXT NOT NULL,
  created_at INTEGER NOT NULL
);

CREATE TABLE telephony_trunks (
  id TEXT PRIMARY KEY,
  org_id TEXT NOT NULL UNIQUE REFERENCES organizations(id) ON DELETE CASCADE,
  provider TEXT NOT NULL,
  created_at INTEGER NOT NULL
);

-- The local carrier's number pool: org_id is set when a number is assigned.
CREATE TABLE phone_number_pool (
  number TEXT PRIMARY KEY,
  org_id TEXT,
  assigned_at INTEGER
);
CREATE INDEX phone_number_pool_free_idx ON phone_number_pool(number) WHERE org_id IS NULL;
CREATE INDEX phone_number_pool_org_idx ON phone_number_pool(org_id) WHERE org_id IS NOT NULL;
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 9999)
INSERT INTO phone_number_pool (number) SELECT '+1555' || printf('%07d', i) FROM n;

CREATE TABLE phone_numbers (
  id TEXT PRIMARY KEY,
  org_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  number TEXT NOT NULL UNIQUE,
  provider TEXT NOT NULL,
  trunk_id TEXT,
  created_at INTEGER NOT NULL
);
CREATE INDEX phone_numbers_org_idx ON phone_numbers(org_id, id);

CREATE TABLE agents (
  id TEXT PRIMARY KEY,
  org_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  description TEXT,
  channel TEXT NOT NULL CHECK (channel IN ('voice', 'chat')),
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX agents_org_idx ON agents(org_id, id);

CREATE TABLE knowledge_bases (
  id TEXT PRIMARY KEY,
  org_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  is_default INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL
);
CREATE INDEX knowledge_bases_org_idx ON knowledge_bases(org_id, id);
-- At most one default collection per org: makes the provisioning step idempotent.
CREATE UNIQUE INDEX knowledge_bases_one_default ON knowledge_bases(org_id) WHERE is_default = 1;

CREATE TABLE web_widgets (
  id TEXT PRIMARY KEY,
  org_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX web_widgets_org_idx ON web_widgets(org_id, id);

-- Written by the usage consumer when a call ends (or its lease expires).
CREATE TABLE call_records (
  id TEXT PRIMARY KEY,
  org_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  channel TEXT NOT NULL,
  direction TEXT NOT NULL,
  agent_id TEXT,
  started_at INTEGER NOT NULL,
  ended_at INTEGER NOT NULL,
  duration_ms INTEGER NOT NULL,
  end_reason TEXT NOT NULL
);
CREATE INDEX call_records_org_idx ON call_records(org_id, started_at);

-- Raw usage events, idempotent by (org_id, event_key). rolled_up = 0 marks events not
-- yet added to usage_daily; the consumer adds and marks them in the same batch.
CREATE TABLE usage_events (
  org_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  event_key TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('voice', 'chat', 'workflow_run')),
  direction TEXT,
  outcome TEXT,
  duration_ms INTEGER NOT NULL DEFAULT 0,
  occurred_at INTEGER NOT NULL,
  day TEXT NOT NULL,
  rolled_up INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (org_id, event_key)
);
CREATE INDEX usage_events_pending_idx ON usage_events(org_id, day) WHERE rolled_up = 0;

-- Daily rollups per org: summaries read these, never the raw events.
CREATE TABLE usage_daily (
  org_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  day TEXT NOT NULL,
  voice_calls INTEGER NOT NULL DEFAULT 0,
  voice_ms INTEGER NOT NULL DEFAULT 0,
  chat_calls INTEGER NOT NULL DEFAULT 0,
  chat_ms INTEGER NOT NULL DEFAULT 0,
  inbound_calls INTEGER NOT NULL DEFAULT 0,
  outbound_calls INTEGER NOT NULL DEFAULT 0,
  workflow_runs_total INTEGER NOT NULL DEFAULT 0,
  workflow_runs_success INTEGER NOT NULL DEFAULT 0,
  workflow_runs_failed INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (org_id, day)
);
