package dev.arbiter.cli.client;

/** The services the CLI talks to, with the option that addresses each and its default port. */
public enum Service {
    FEATURES("feature-service", "--features", "ARBITER_FEATURES", 9101),
    MODELS("model-service", "--models", "ARBITER_MODELS", 9102),
    DECISIONS("decision-service", "--decisions", "ARBITER_DECISIONS", 9103),
    OPTIMIZER("optimizer-service", "--optimizer", "ARBITER_OPTIMIZER", 9104),
    RULES("rule-service", "--rules", "ARBITER_RULES", 9105);

    /** The service's name, as the README and its logs call it. */
    public final String displayName;
    /** The command-line option that gives its address. */
    public final String option;
    /** The environment variable that gives its address when the option is absent. */
    public final String environmentVariable;
    /** Its gRPC port when nothing else is said. */
    public final int defaultPort;

    Service(String displayName, String option, String environmentVariable, int defaultPort) {
        this.displayName = displayName;
        this.option = option;
        this.environmentVariable = environmentVariable;
        this.defaultPort = defaultPort;
    }
}
