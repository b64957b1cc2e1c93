-- The audit log is read from the change log. A change implied by another (an
-- article shown differently because its tag was renamed) is not a write of its
-- own, and the audit log leaves it out.
ALTER TABLE changes ADD COLUMN implied BOOLEAN NOT NULL DEFAULT FALSE;
