-- Reverse of up.sql: dependants first. Dropping a table drops its indexes,
-- constraints and comments with it.
DROP TABLE demand_forecasts;
DROP TABLE stock_levels;
DROP TABLE order_request_items;
DROP TABLE order_requests;
DROP TABLE products;
DROP TABLE users;
DROP TABLE clients;
