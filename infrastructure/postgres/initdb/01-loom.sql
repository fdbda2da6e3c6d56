-- The role and database Loom uses, created the first time the official postgres image starts
-- with an empty data volume (it runs every file in /docker-entrypoint-initdb.d, through psql).
-- Loom connects as `loom`, not as the superuser: it owns its database and nothing else.
-- The password here is for local and docker-compose use; change it (ALTER ROLE loom PASSWORD ...)
-- and DATABASE_URL together anywhere else.

DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'loom') THEN
    CREATE ROLE loom WITH LOGIN PASSWORD 'loom';
  END IF;
END
$$;

-- CREATE DATABASE cannot run inside a DO block; \gexec runs it only when the database is missing.
SELECT 'CREATE DATABASE loom OWNER loom ENCODING ''UTF8'' TEMPLATE template0'
WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'loom')\gexec

-- Since PostgreSQL 15 only the database owner may create in schema public: loom is that owner.
\connect loom
ALTER SCHEMA public OWNER TO loom;
