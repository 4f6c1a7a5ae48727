package dev.arbiter.rules.config;

import dev.arbiter.engine.rules.ProposalChecks;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** rule-service's settings ({@code arbiter.rules.*}); the validation bounds are engine {@link ProposalChecks.Limits}. */
@ConfigMapping(prefix = "arbiter.rules")
public interface RulesConfig {

    /** Deadline of each call to feature-service (its schema) and decision-service (its live rules). */
    @WithDefault("5s")
    Duration dependencyDeadline();

    /** How long the feature schema and decision-service's live rules are kept before they are asked for again. */
    @WithDefault("30s")
    Duration cacheTtl();

    /** The bounds a proposal must stay within. */
    Limits limits();

    /** ListProposals' pages. */
    Paging paging();

    /** Proposals kept and compared. */
    Proposals proposals();

    interface Paging {

        /** Page size when a request sends page_size 0. */
        @WithDefault("50")
        int defaultPageSize();

        /** Largest page size; larger requests are lowered to it. */
        @WithDefault("500")
        int maxPageSize();
    }

    interface Proposals {

        /**
         * How many of the newest earlier proposals (any state but VALIDATION_FAILED, rejected ones included) a new
         * proposal is compared with for near-duplicates, beside decision-service's live rules: rephrasing a refused
         * rule until it passes by chance is the multiple-testing failure this guards against.
         */
        @WithDefault("2000")
        int duplicateLookback();
    }

    interface Limits {

        /** AST nodes (after macro expansion). */
        @WithDefault("60")
        int maxNodes();

        /** Nesting depth of the AST. */
        @WithDefault("12")
        int maxDepth();

        /** Numeric and string literals: a rule with many tuned constants fits noise. */
        @WithDefault("8")
        int maxConstants();

        /** Largest absolute numeric literal. */
        @WithDefault("1e6")
        double maxMagnitude();

        /** Longest string literal. */
        @WithDefault("64")
        int maxStringLength();

        /** Static worst-case cost bound: one unit per node, a comprehension body times its iterations. */
        @WithDefault("5000")
        long costLimit();

        /** Evaluation steps of the trial evaluation, counted by an evaluation listener. */
        @WithDefault("5000")
        long stepBudget();

        /** Subtree Jaccard similarity from which a rule with constants within 5% is a near-duplicate. */
        @WithDefault("0.9")
        double duplicateSimilarity();

        default ProposalChecks.Limits asEngineLimits() {
            return new ProposalChecks.Limits(maxNodes(), maxDepth(), maxConstants(), maxMagnitude(), maxStringLength(),
                    costLimit(), stepBudget(), duplicateSimilarity());
        }
    }
}
