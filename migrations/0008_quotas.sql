-- Quotas (src/quotas/): a creation's batch ends with, per quota,
--   INSERT INTO quota_guard (quota) SELECT '<name>' WHERE (<count of live rows>) > <limit>
-- The CHECK refuses every row, so a count over its limit after the insert rolls the whole
-- batch back ("CHECK constraint failed: quota_exceeded"): exact under concurrent requests,
-- as D1 runs one batch at a time.
CREATE TABLE quota_guard (
  quota TEXT,
  CONSTRAINT quota_exceeded CHECK (0)
);

-- The per-user organization quotas count the top-level organizations a user created.
CREATE INDEX organizations_created_by_idx ON organizations(created_by) WHERE parent_id IS NULL;
