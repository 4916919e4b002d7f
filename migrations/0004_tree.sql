-- The organization tree at scale (issue 5).
--
-- parent_id is the truth; recursive CTEs over it describe and check the tree (breadcrumbs,
-- the subtree check). org_tree is a materialized path kept by triggers in the same statement
-- as each insert, so descendant search is one index range instead of a walk of the subtree.

-- No cycle can form: an org is inserted under an existing parent (so nothing points at it
-- yet) and parent_id never changes afterwards. Nothing in the API re-parents; the database
-- refuses it anyway.
CREATE TRIGGER organizations_parent_immutable
BEFORE UPDATE OF parent_id ON organizations
WHEN NEW.parent_id IS NOT OLD.parent_id
BEGIN SELECT RAISE(ABORT, 'parent_immutable'); END;

CREATE TRIGGER organizations_id_immutable
BEFORE UPDATE OF id ON organizations
WHEN NEW.id IS NOT OLD.id
BEGIN SELECT RAISE(ABORT, 'id_immutable'); END;

-- path: the ids from the top-level org down to this one, each followed by '/'
-- ('org_a/org_b/'). Ids use only [a-z0-9_] (all >= '0') and '/' (0x2f) sorts right below
-- '0' (0x30), so the subtree of P is exactly the key range [P, P minus its last '/' || '0').
-- slug is copied here so the search scans one covering b-tree; triggers keep it in step.
CREATE TABLE org_tree (
  path TEXT PRIMARY KEY,
  org_id TEXT NOT NULL UNIQUE,
  slug TEXT NOT NULL,
  depth INTEGER NOT NULL CHECK (depth BETWEEN 0 AND 63)
) WITHOUT ROWID;

-- Orgs that exist before this migration.
INSERT INTO org_tree (path, org_id, slug, depth)
WITH RECURSIVE t(id, slug, path, depth) AS (
  SELECT id, slug, id || '/', 0 FROM organizations WHERE parent_id IS NULL
  UNION ALL
  SELECT o.id, o.slug, t.path || o.id || '/', t.depth + 1
  FROM organizations o JOIN t ON o.parent_id = t.id
  WHERE t.depth < 63
)
SELECT path, id, slug, depth FROM t;

-- A child goes under a parent that exists, and no deeper than the queries follow.
CREATE TRIGGER organizations_parent_exists
BEFORE INSERT ON organizations
WHEN NEW.parent_id IS NOT NULL
BEGIN
  SELECT RAISE(ABORT, 'parent_not_found')
  WHERE NOT EXISTS (SELECT 1 FROM org_tree WHERE org_id = NEW.parent_id);
  SELECT RAISE(ABORT, 'tree_too_deep')
  WHERE (SELECT depth FROM org_tree WHERE org_id = NEW.parent_id) >= 63;
END;

CREATE TRIGGER organizations_tree_insert
AFTER INSERT ON organizations
BEGIN
  INSERT INTO org_tree (path, org_id, slug, depth)
  VALUES (
    coalesce((SELECT path FROM org_tree WHERE org_id = NEW.parent_id), '') || NEW.id || '/',
    NEW.id,
    NEW.slug,
    coalesce((SELECT depth + 1 FROM org_tree WHERE org_id = NEW.parent_id), 0)
  );
END;

CREATE TRIGGER organizations_tree_slug
AFTER UPDATE OF slug ON organizations
WHEN NEW.slug IS NOT OLD.slug
BEGIN
  UPDATE org_tree SET slug = NEW.slug WHERE org_id = NEW.id;
END;

CREATE TRIGGER organizations_tree_delete
AFTER DELETE ON organizations
BEGIN
  DELETE FROM org_tree WHERE org_id = OLD.id;
END;
