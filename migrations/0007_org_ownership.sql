-- Exactly one owner per organization, children included (issue 9, item 7); org settings
-- name only the org's own phone numbers (item 11).
--
-- The owner is a column of the organization row: either a user (owner_user_id, one of its
-- members) or its parent organization (owner_org_id, for a child created through the
-- partner console until a partner hands it to a native member). One CHECK says exactly one
-- of the two is set, so no statement can leave an org with two owners or none; ownership
-- moves by updating that row in ONE statement, and the triggers below keep the `owner` role
-- of memberships (which authorisation reads) equal to it within the same statement:
--
--   * a new user-owned org gets its owner's membership from the org insert itself;
--   * changing owner_user_id demotes the previous owner to admin and promotes the new one;
--   * a membership may hold `owner` only if it is the org's owner_user_id (never while an
--     organization owns it), and the owner's membership cannot be deleted while the org
--     exists: organizations.owner_membership references it (an immediate foreign key, so a
--     deletion of the org row itself, which cascades to its memberships, still works).

ALTER TABLE organizations ADD COLUMN owner_user_id TEXT;
-- A child's owning organization can only be its parent (so parent_id's foreign key covers it:
-- no second one, which would make every org deletion scan the table for owned orgs).
ALTER TABLE organizations ADD COLUMN owner_org_id TEXT
  CHECK (owner_org_id IS NULL OR owner_org_id = parent_id);

-- Existing orgs: the owner membership's user; a child with no owner membership (every child
-- created before this migration) is owned by its parent.
UPDATE organizations SET owner_user_id =
  (SELECT m.user_id FROM memberships m WHERE m.org_id = organizations.id AND m.is_owner = 1);
UPDATE organizations SET owner_org_id = parent_id WHERE owner_user_id IS NULL AND parent_id IS NOT NULL;

-- Exactly one owner. Checked against the existing rows as the column is added: a top-level
-- org with no owner membership (none can be created, but a database may hold one) makes this
-- migration fail, for a person to decide who owns it.
ALTER TABLE organizations ADD COLUMN owner_type TEXT
  GENERATED ALWAYS AS (CASE WHEN owner_org_id IS NULL THEN 'user' ELSE 'organization' END) VIRTUAL
  CHECK ((owner_user_id IS NULL) <> (owner_org_id IS NULL));

-- The org a membership owns (NULL unless it holds `owner`): what owner_membership references.
ALTER TABLE memberships ADD COLUMN owner_of TEXT
  GENERATED ALWAYS AS (CASE WHEN is_owner THEN org_id END) VIRTUAL;
CREATE UNIQUE INDEX memberships_owner_of ON memberships(owner_of);

ALTER TABLE organizations ADD COLUMN owner_membership TEXT
  GENERATED ALWAYS AS (CASE WHEN owner_user_id IS NOT NULL THEN id END) VIRTUAL
  REFERENCES memberships(owner_of);
CREATE INDEX organizations_owner_membership_idx ON organizations(owner_membership);

-- The owner's membership comes with a user-owned org, in the same statement.
CREATE TRIGGER organizations_owner_membership_insert
AFTER INSERT ON organizations
WHEN NEW.owner_user_id IS NOT NULL
BEGIN
  INSERT INTO memberships (org_id, user_id, roles, created_at)
  VALUES (NEW.id, NEW.owner_user_id, 'owner', NEW.created_at);
END;

-- Ownership moves: the new owner must already be a member ...
CREATE TRIGGER organizations_owner_must_be_member
BEFORE UPDATE OF owner_user_id ON organizations
WHEN NEW.owner_user_id IS NOT NULL AND NEW.owner_user_id IS NOT OLD.owner_user_id
  AND NOT EXISTS (SELECT 1 FROM memberships WHERE org_id = NEW.id AND user_id = NEW.owner_user_id)
BEGIN SELECT RAISE(ABORT, 'owner_not_member'); END;

-- ... the previous owner (a user) becomes an admin keeping its other roles, then the new
-- owner gains `owner` keeping its roles. Roles are stored in canonical order (owner, admin,
-- member, viewer), so `owner` goes first and `admin` right after it.
CREATE TRIGGER organizations_owner_roles
AFTER UPDATE OF owner_user_id ON organizations
WHEN NEW.owner_user_id IS NOT OLD.owner_user_id
BEGIN
  UPDATE memberships SET roles = trim(
      CASE WHEN instr(',' || roles || ',', ',admin,') > 0
        THEN replace(',' || roles || ',', ',owner,', ',')
        ELSE ',admin' || replace(',' || roles || ',', ',owner,', ',') END, ',')
  WHERE org_id = NEW.id AND user_id = OLD.owner_user_id;
  UPDATE memberships SET roles = 'owner,' || roles
  WHERE org_id = NEW.id AND user_id = NEW.owner_user_id AND is_owner = 0;
END;

-- `owner` in memberships is exactly the org's owner_user_id: no role change, insert or
-- invitation can grant it, take it, or give it to a member of an org an organization owns.
CREATE TRIGGER memberships_owner_matches_insert
AFTER INSERT ON memberships
WHEN NEW.is_owner IS NOT coalesce(
  (SELECT o.owner_user_id IS NEW.user_id FROM organizations o WHERE o.id = NEW.org_id), 0)
BEGIN SELECT RAISE(ABORT, 'owner_mismatch'); END;

CREATE TRIGGER memberships_owner_matches_update
AFTER UPDATE OF roles, org_id, user_id ON memberships
WHEN NEW.is_owner IS NOT coalesce(
  (SELECT o.owner_user_id IS NEW.user_id FROM organizations o WHERE o.id = NEW.org_id), 0)
BEGIN SELECT RAISE(ABORT, 'owner_mismatch'); END;

-- Item 11: settings listed numbers of other orgs; keep only the org's own.
UPDATE organizations SET phone_numbers = (
  SELECT json_group_array(j.value) FROM json_each(organizations.phone_numbers) j
  WHERE EXISTS (SELECT 1 FROM phone_numbers p WHERE p.org_id = organizations.id AND p.number = j.value))
WHERE EXISTS (
  SELECT 1 FROM json_each(organizations.phone_numbers) j
  WHERE NOT EXISTS (SELECT 1 FROM phone_numbers p WHERE p.org_id = organizations.id AND p.number = j.value));
