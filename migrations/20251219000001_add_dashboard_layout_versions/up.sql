-- History of dashboard layouts (issue 13): each saved change of a layout keeps the version it
-- replaced here, so a user can list the newest 20 and restore one as a new version. The API
-- prunes older rows in the same transaction as the save. Deleting a layout deletes its history.
--
-- "At most one default per user" needs no new index: the guide's migration already made the
-- partial unique index dashboard_layouts_one_default_per_user (user_id) WHERE is_default, and
-- dashboard_layouts already has its `version` column.

CREATE TABLE dashboard_layout_versions (
    layout_id UUID        NOT NULL,
    -- The layout's `version` this row was at before the change that replaced it.
    version   INTEGER     NOT NULL,
    name      TEXT        NOT NULL,
    widgets   JSONB       NOT NULL,
    -- When that version was saved (the layout's updated_at at the time).
    saved_at  TIMESTAMPTZ NOT NULL,
    CONSTRAINT dashboard_layout_versions_pkey PRIMARY KEY (layout_id, version),
    CONSTRAINT dashboard_layout_versions_version_check CHECK (version >= 1),
    CONSTRAINT dashboard_layout_versions_widgets_check CHECK (jsonb_typeof(widgets) = 'array'),
    CONSTRAINT dashboard_layout_versions_layout_id_fkey FOREIGN KEY (layout_id)
        REFERENCES dashboard_layouts (id) ON DELETE CASCADE
);
