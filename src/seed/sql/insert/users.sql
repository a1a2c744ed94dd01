INSERT INTO users (email, name, role, client_id, password_hash)
SELECT u.email, u.name, u.role, c.id, u.password_hash
FROM unnest($1::text[], $2::text[], $3::text[], $4::int[], $5::text[])
     AS u(email, name, role, client_no, password_hash)
LEFT JOIN seed_clients c ON c.client_no = u.client_no
