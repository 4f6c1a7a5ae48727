-- One PostgreSQL role per service, each owning its own schema and nothing else (README, "Deploy on Kubernetes",
-- "Database roles"). Run once per database by its owner or a superuser, before the first install, and again after
-- changing a password (it is idempotent):
--
--   psql -h HOST -U postgres -d arbiter -v ON_ERROR_STOP=1 \
--     -v model_password=... -v decision_password=... -v optimizer_password=... -v rule_password=... \
--     -f helm/arbiter/files/database-roles.sql
--
-- Each service's Flyway then creates and migrates the tables of its own schema as that role. feature-service uses no
-- database. The roles get no other privilege: no CREATE on the database or on schema public, no access to another
-- service's schema.

SELECT set_config('arbiter.model_password', :'model_password', false),
       set_config('arbiter.decision_password', :'decision_password', false),
       set_config('arbiter.optimizer_password', :'optimizer_password', false),
       set_config('arbiter.rule_password', :'rule_password', false);

DO $$
DECLARE
    service text;
    owned record;
BEGIN
    FOREACH service IN ARRAY ARRAY['model', 'decision', 'optimizer', 'rule'] LOOP
        IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'arbiter_' || service) THEN
            EXECUTE format('CREATE ROLE %I LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT', 'arbiter_' || service);
        END IF;
        EXECUTE format('ALTER ROLE %I PASSWORD %L', 'arbiter_' || service,
                       current_setting('arbiter.' || service || '_password'));
        EXECUTE format('CREATE SCHEMA IF NOT EXISTS %I AUTHORIZATION %I', service, 'arbiter_' || service);
        EXECUTE format('ALTER SCHEMA %I OWNER TO %I', service, 'arbiter_' || service);
        EXECUTE format('GRANT CONNECT ON DATABASE %I TO %I', current_database(), 'arbiter_' || service);
        -- a database migrated before the roles existed: its tables (and their sequences) move to the role too
        FOR owned IN SELECT tablename FROM pg_tables WHERE schemaname = service LOOP
            EXECUTE format('ALTER TABLE %I.%I OWNER TO %I', service, owned.tablename, 'arbiter_' || service);
        END LOOP;
    END LOOP;
END
$$;

-- Nobody but the owner creates anything outside the services' own schemas.
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
DO $$
BEGIN
    EXECUTE format('REVOKE CREATE, TEMPORARY ON DATABASE %I FROM PUBLIC', current_database());
END
$$;
