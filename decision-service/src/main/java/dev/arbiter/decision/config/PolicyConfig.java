package dev.arbiter.decision.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** The live policy, its versions and variants ({@code arbiter.decision.policy.*}). */
@ConfigMapping(prefix = "arbiter.decision.policy")
public interface PolicyConfig {

    /**
     * Safety net behind the Redis change notices: every replica also re-reads the live versions and variants from
     * PostgreSQL this often, in case a notice was lost (e.g. while Redis was unreachable). 0 = never.
     */
    @WithDefault("30s")
    Duration reloadInterval();

    /** Most rules in one rule set. */
    @WithDefault("100")
    int maxRules();

    /** Most variants at once. */
    @WithDefault("20")
    int maxVariants();

    /** How long a feature schema fetched from feature-service is trusted before it is asked again (for SetRuleSet). */
    @WithDefault("10s")
    Duration schemaCacheTtl();

    /** Deadline of a GetFeatureSchema call to feature-service. */
    @WithDefault("2s")
    Duration schemaDeadline();
}
