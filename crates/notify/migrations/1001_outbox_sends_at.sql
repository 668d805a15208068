-- Pruning the rate limits' history deletes by time across every channel
-- (`DELETE FROM outbox_sends WHERE at_ms < ?`, at each delivery). Without an index led by
-- `at_ms` that statement read the whole table, a day of sends, every time.
CREATE INDEX outbox_sends_at ON outbox_sends (at_ms);
