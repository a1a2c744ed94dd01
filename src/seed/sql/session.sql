SET LOCAL statement_timeout = 0;
SET LOCAL lock_timeout = '30s';
SET LOCAL TimeZone = 'UTC';
SET LOCAL temp_buffers = '256MB';
SET LOCAL work_mem = '256MB';
