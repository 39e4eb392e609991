-- Each channel's IANA time zone: ad quiet hours (20:00-08:00) are read on its clock.
-- Existing channels keep Korea's, the zone every channel used before.
ALTER TABLE channels ADD COLUMN time_zone TEXT NOT NULL DEFAULT 'Asia/Seoul';
