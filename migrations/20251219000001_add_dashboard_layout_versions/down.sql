DROP TABLE dashboard_layout_versions;
