ALTER TABLE user_preferences
    DROP CONSTRAINT user_preferences_realtime_channels_check,
    DROP CONSTRAINT user_preferences_timezone_check,
    DROP COLUMN realtime_channels,
    DROP COLUMN timezone;
