-- netaudit: one role per site, and a read-only role for the national report.
-- See docs/postgresql.md, "Least privilege". Run as a superuser (or the owner of the netaudit
-- tables with CREATEROLE) in the netaudit database, once the schema exists, and again after
-- an upgrade of netaudit that adds tables; it can be run any number of times:
--
--   psql -v ON_ERROR_STOP=1 -d netaudit -f postgresql-roles.sql
--
-- Then one login role per site with postgresql-site-role.sql.

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'netaudit_site') THEN
        CREATE ROLE netaudit_site NOLOGIN;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'netaudit_reader') THEN
        CREATE ROLE netaudit_reader NOLOGIN;
    END IF;
END
$$;

-- Which login role writes which site: the one table to read to audit who may write what.
CREATE TABLE IF NOT EXISTS netaudit_site_roles (
    role name PRIMARY KEY,
    site text NOT NULL
);

GRANT USAGE ON SCHEMA public TO netaudit_site, netaudit_reader;

-- The national report: reads everything, writes nothing.
GRANT SELECT ON ALL TABLES IN SCHEMA public TO netaudit_reader;

-- A site: reads the schema version and the mapping, adds inventories (shared, by content),
-- and writes the rows of its own site only (the policies below).
GRANT SELECT ON netaudit_schema, netaudit_site_roles TO netaudit_site;
GRANT SELECT, INSERT ON inventories TO netaudit_site;
GRANT SELECT, INSERT, UPDATE, DELETE
    ON runs, link_results, endpoint_results, findings, intervals, rollups, history_state, site_writers TO netaudit_site;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO netaudit_site;

-- Row-level security on every table with a site: a site role sees, inserts, updates and
-- deletes only rows whose site netaudit_site_roles gives it; the reader sees every row. The
-- owner of the tables (who runs the migrations) is not subject to these policies.
DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['runs', 'link_results', 'endpoint_results', 'findings', 'intervals', 'rollups',
                             'history_state', 'site_writers'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('DROP POLICY IF EXISTS netaudit_own_site ON %I', t);
        EXECUTE format('CREATE POLICY netaudit_own_site ON %I FOR ALL TO netaudit_site'
                       ' USING (site IN (SELECT m.site FROM netaudit_site_roles m WHERE m.role = current_user))'
                       ' WITH CHECK (site IN (SELECT m.site FROM netaudit_site_roles m WHERE m.role = current_user))', t);
        EXECUTE format('DROP POLICY IF EXISTS netaudit_read_all ON %I', t);
        EXECUTE format('CREATE POLICY netaudit_read_all ON %I FOR SELECT TO netaudit_reader USING (true)', t);
    END LOOP;
END
$$;
