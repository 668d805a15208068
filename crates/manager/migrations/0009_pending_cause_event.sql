-- vigie-manager schema, version 9: a pending decision caused by a stored notification names
-- its event instead of carrying a JSON copy of the notification. The event is written in the
-- same transaction; `cause` stays for decisions whose notification is not an event (and for
-- rows written by version 8). Under a trap storm the copy was the largest part of every
-- pending row, written once and read once.

ALTER TABLE response_pending ADD COLUMN cause_event BIGINT; -- events.id of the cause, when stored
