-- Subtree usage, aggregated up the tree as usage is recorded (issue 5).
--
-- usage_subtree_daily(a, d) = the sum of usage_daily(x, d) over every x in a's subtree
-- (a itself included). Triggers on usage_daily keep it exact in the same statement as
-- each rollup write (insert, update or delete), so a partner's usage over any window is
-- at most 366 rows of one primary-key range, whatever the size of the tree.

-- The counters of usage_daily (migration 0003, issue 4), summed over each subtree.
CREATE TABLE usage_subtree_daily (
  org_id TEXT NOT NULL,
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
) WITHOUT ROWID;

-- The ancestors of an org (itself included) are the ids of its org_tree path; triggers
-- cannot hold a recursive CTE, so the path is read as a JSON array ('a/b/' → ["a","b"]).
-- Ids are [a-z0-9_], so nothing in them needs JSON escaping.

-- A rollup row never moves to another org or day: the deltas below rely on it.
CREATE TRIGGER usage_daily_key_immutable
BEFORE UPDATE OF org_id, day ON usage_daily
WHEN NEW.org_id IS NOT OLD.org_id OR NEW.day IS NOT OLD.day
BEGIN SELECT RAISE(ABORT, 'usage_key_immutable'); END;

CREATE TRIGGER usage_daily_subtree_insert
AFTER INSERT ON usage_daily
BEGIN
  INSERT INTO usage_subtree_daily
    (org_id, day, voice_calls, voice_ms, chat_calls, chat_ms, inbound_calls, outbound_calls, workflow_runs_total, workflow_runs_success, workflow_runs_failed)
  SELECT a.value, NEW.day, NEW.voice_calls, NEW.voice_ms, NEW.chat_calls, NEW.chat_ms, NEW.inbound_calls,
         NEW.outbound_calls, NEW.workflow_runs_total, NEW.workflow_runs_success, NEW.workflow_runs_failed
  FROM org_tree t, json_each('["' || replace(rtrim(t.path, '/'), '/', '","') || '"]') a
  WHERE t.org_id = NEW.org_id
  ON CONFLICT (org_id, day) DO UPDATE SET
    voice_calls = voice_calls + excluded.voice_calls,
    voice_ms = voice_ms + excluded.voice_ms,
    chat_calls = chat_calls + excluded.chat_calls,
    chat_ms = chat_ms + excluded.chat_ms,
    inbound_calls = inbound_calls + excluded.inbound_calls,
    outbound_calls = outbound_calls + excluded.outbound_calls,
    workflow_runs_total = workflow_runs_total + excluded.workflow_runs_total,
    workflow_runs_success = workflow_runs_success + excluded.workflow_runs_success,
    workflow_runs_failed = workflow_runs_failed + excluded.workflow_runs_failed;
END;

-- An upsert that increments a rollup (INSERT … ON CONFLICT DO UPDATE) lands here.
CREATE TRIGGER usage_daily_subtree_update
AFTER UPDATE ON usage_daily
BEGIN
  UPDATE usage_subtree_daily SET
    voice_calls = voice_calls + NEW.voice_calls - OLD.voice_calls,
    voice_ms = voice_ms + NEW.voice_ms - OLD.voice_ms,
    chat_calls = chat_calls + NEW.chat_calls - OLD.chat_calls,
    chat_ms = chat_ms + NEW.chat_ms - OLD.chat_ms,
    inbound_calls = inbound_calls + NEW.inbound_calls - OLD.inbound_calls,
    outbound_calls = outbound_calls + NEW.outbound_calls - OLD.outbound_calls,
    workflow_runs_total = workflow_runs_total + NEW.workflow_runs_total - OLD.workflow_runs_total,
    workflow_runs_success = workflow_runs_success + NEW.workflow_runs_success - OLD.workflow_runs_success,
    workflow_runs_failed = workflow_runs_failed + NEW.workflow_runs_failed - OLD.workflow_runs_failed
  WHERE day = NEW.day AND org_id IN (
    SELECT a.value FROM org_tree t, json_each('["' || replace(rtrim(t.path, '/'), '/', '","') || '"]') a
    WHERE t.org_id = NEW.org_id);
END;

-- Deleting with INSERT OR REPLACE skips delete triggers (recursive_triggers is off): use
-- upserts or plain DELETE on usage_daily.
CREATE TRIGGER usage_daily_subtree_delete
AFTER DELETE ON usage_daily
BEGIN
  UPDATE usage_subtree_daily SET
    voice_calls = voice_calls - OLD.voice_calls,
    voice_ms = voice_ms - OLD.voice_ms,
    chat_calls = chat_calls - OLD.chat_calls,
    chat_ms = chat_ms - OLD.chat_ms,
    inbound_calls = inbound_calls - OLD.inbound_calls,
    outbound_calls = outbound_calls - OLD.outbound_calls,
    workflow_runs_total = workflow_runs_total - OLD.workflow_runs_total,
    workflow_runs_success = workflow_runs_success - OLD.workflow_runs_success,
    workflow_runs_failed = workflow_runs_failed - OLD.workflow_runs_failed
  WHERE day = OLD.day AND org_id IN (
    SELECT a.value FROM org_tree t, json_each('["' || replace(rtrim(t.path, '/'), '/', '","') || '"]') a
    WHERE t.org_id = OLD.org_id);
END;

-- A deleted org (always a leaf: children refuse it) takes its usage out of its ancestors'
-- totals while its org_tree row still says who they are; its own rollups go with it.
CREATE TRIGGER organizations_usage_delete
BEFORE DELETE ON organizations
BEGIN
  DELETE FROM usage_daily WHERE org_id = OLD.id;
  DELETE FROM usage_subtree_daily WHERE org_id = OLD.id;
END;
