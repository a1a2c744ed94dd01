-- Keeps the newest $2 kept versions of layout $1 and deletes the older ones: the row at
-- offset $2 (newest first) and everything before it go. Runs in the transaction that saved
-- the newest one, so the history never holds more than $2 rows once it commits.
DELETE FROM dashboard_layout_versions
WHERE layout_id = $1
  AND version <= (
      SELECT version
      FROM dashboard_layout_versions
      WHERE layout_id = $1
      ORDER BY version DESC
      OFFSET $2
      LIMIT 1
  )
