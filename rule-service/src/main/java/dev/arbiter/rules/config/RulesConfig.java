package dev.arbiter.rules.config;

import dev.arbiter.engine.rules.ProposalChecks;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

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

    /** The LLM that proposes rules (the HTTP client itself is quarkus-langchain4j-openai's, set from these). */
    Llm llm();

    /** The backtest every VALIDATED proposal gets, through optimizer-service's walk-forward. */
    Backtest backtest();

    /** The offline search: rule templates tuned by TPE on the tuning window, when no LLM answers. */
    Offline offline();

    /** Shadow runs, the promotion test and the guard that rolls a promotion back. */
    Shadow shadow();

    interface Shadow {

        /** Settled decisions a shadow run compares before it completes (StartShadow's min_decisions 0). */
        @WithDefault("200")
        long minDecisions();

        /** A shadow run ends after this long even with fewer settled decisions (StartShadow's max_duration_ms 0). */
        @WithDefault("7d")
        Duration maxDuration();

        /** How often running shadow runs and guarded promotions are read from decision-service; 0 = never (tests). */
        @WithDefault("30s")
        Duration checkInterval();

        /** The promotion test's level: the one-sided sign test's p-value must be below it. */
        @WithDefault("0.05")
        double alpha();

        /** Promote a proposal as soon as its shadow run completes better (else PromoteProposal does it). */
        @WithDefault("false")
        boolean autoPromote();

        /** Whether PromoteProposal may skip the shadow run (skip_shadow) for a BACKTESTED proposal with a better backtest. */
        @WithDefault("false")
        boolean allowSkip();

        /** The guard over a promotion. */
        Guard guard();

        interface Guard {

            /** How long after a promotion the guard watches it. */
            @WithDefault("7d")
            Duration window();

            /** Acted decisions with an outcome the promoted rule set needs before its false-positive rate is judged. */
            @WithDefault("30")
            long minOutcomes();

            /**
             * Rolled back when the promoted rule set's false-positive rate (losing / judged acted decisions) exceeds the
             * live rules' rate in the shadow run by more than this.
             */
            @WithDefault("0.10")
            double falsePositiveMargin();

            /** Rolled back when the promoted rule set's drawdown (fraction of capital) exceeds this. */
            @WithDefault("0.10")
            double maxDrawdown();
        }
    }

    interface Offline {

        /** Backtests (TPE trials) per template. */
        @WithDefault("12")
        int trials();

        /** The sampler's seed: the same history and live rules give the same proposals. */
        @WithDefault("1")
        long seed();
    }

    interface Backtest {

        /**
         * The series of optimizer-service's history the proposals are backtested on (env
         * ARBITER_RULES_BACKTEST_SERIES). Unset: no backtests run and VALIDATED proposals wait.
         */
        Optional<String> series();

        /** Observations in each fold's training window. */
        @WithDefault("1000")
        int trainObservations();

        /** Observations in each fold's test window. */
        @WithDefault("500")
        int testObservations();

        /** At most this many folds (the latest). */
        @WithDefault("4")
        int maxFolds();

        /** The label: the sign of the return this many observations ahead (also the realised-return horizon). */
        @WithDefault("4")
        int horizon();

        /** The ensemble members trained in each fold (model kinds: logreg, gbt, rf, svm). */
        @WithDefault("logreg")
        List<String> members();

        /** Trading cost per unit of turnover. */
        @WithDefault("0.0002")
        double costPerTurnover();

        /** Share of the live rules' wins a candidate may give up and still count as "at equal wins". */
        @WithDefault("0.1")
        double winsTolerance();

        /** The deflated Sharpe ratio a candidate must reach to be better. */
        @WithDefault("0.95")
        double minDeflatedSharpe();

        /** Deadline of one backtest call. */
        @WithDefault("10m")
        Duration deadline();
    }

    interface Llm {

        /**
         * The OpenAI-compatible server, e.g. {@code https://api.openai.com/v1} or {@code http://127.0.0.1:8000/v1}
         * (env ARBITER_LLM_BASE_URL). Unset: no LLM is configured, and ProposeRules answers degraded.
         */
        Optional<String> baseUrl();

        /** The model asked (env ARBITER_LLM_MODEL); recorded as the author of its proposals. */
        @WithDefault("gpt-4o-mini")
        String model();

        /**
         * The whole call, enforced by a SmallRye Fault Tolerance timeout around the client's own HTTP timeout
         * ({@code quarkus.langchain4j.openai.timeout}, env ARBITER_LLM_TIMEOUT, 30 s); a call that runs out counts as a
         * failure.
         */
        @WithDefault("40s")
        Duration callTimeout();

        /** Calls the circuit breaker looks at (its rolling window). */
        @WithDefault("4")
        int breakerWindow();

        /** Share of failed calls in the window that opens the circuit. */
        @WithDefault("0.75")
        double breakerFailureRatio();

        /** How long an open circuit refuses calls before a trial call. */
        @WithDefault("5m")
        Duration breakerDelay();

        /** How long to wait after a 429 that gave no Retry-After. */
        @WithDefault("60s")
        Duration defaultRetryAfter();

        /** Tokens (input and output) the LLM may be asked for per UTC day, over every rule-service process. */
        @WithDefault("200000")
        long dailyTokenBudget();

        /** Cost the LLM may run up per UTC day (same currency as the prices). */
        @WithDefault("1.00")
        double dailyCostBudget();

        /** Price of a million input tokens (the default is gpt-4o-mini's list price in USD). */
        @WithDefault("0.15")
        double pricePerMillionInputTokens();

        /** Price of a million output tokens. */
        @WithDefault("0.60")
        double pricePerMillionOutputTokens();

        /** Proposals asked for when a request sends max_proposals 0; each is one call. */
        @WithDefault("3")
        int defaultProposals();

        /** Most proposals one request may ask for. */
        @WithDefault("10")
        int maxProposals();
    }

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
