-- netaudit: the login role of one site (after postgresql-roles.sql). As a superuser:
--
--   psql -v ON_ERROR_STOP=1 -d netaudit -v role=netaudit_52 -v site=52 -f postgresql-site-role.sql
--
-- The auditor of site 52 then connects as netaudit_52 (a password, if any, with ALTER ROLE
-- ... PASSWORD, given to netaudit with passfile= or LoadCredential=).

CREATE ROLE :"role" LOGIN IN ROLE netaudit_site;
INSERT INTO netaudit_site_roles (role, site) VALUES (:'role', :'site');
