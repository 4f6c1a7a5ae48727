package dev.arbiter.service.alerts;

/** The kinds of alert Arbiter sends; the name in lower case is the {@code event} field of the webhook's JSON. */
public enum AlertEvent {
    /** model-service: a model version's inputs or score drifted. */
    DRIFT,
    /** decision-service: the circuit breaker to a dependency opened. */
    CIRCUIT_BREAKER_OPEN,
    /** decision-service: the drawdown brake engaged (sizes cut, or new actions halted). */
    DRAWDOWN_BRAKE,
    /** optimizer-service or rule-service: parameters or a rule were promoted. */
    PROMOTION,
    /** optimizer-service or rule-service: a promotion was rolled back. */
    ROLLBACK,
    /** optimizer-service: a training or retraining job finished or failed. */
    RETRAINING,
    /** decision-service: the durable decision log needs attention (dead letters, a spool that does not drain). */
    DECISION_LOG,
    /** rule-service: a proposed rule was rejected or could not be checked. */
    RULE_PROPOSAL
}
