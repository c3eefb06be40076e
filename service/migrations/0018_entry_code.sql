-- A paper form (sammen paper) carries a short code besides the link's QR code, for staff
-- to find the invitation when they enter what the citizen ticked. Stored only as its
-- hash, as the token is.
alter table invitation add column entry_code_hash bytea unique;
