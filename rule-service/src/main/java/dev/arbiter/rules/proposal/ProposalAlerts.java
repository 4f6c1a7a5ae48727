package dev.arbiter.rules.proposal;

import dev.arbiter.proto.v1.RuleProposal;
import dev.arbiter.rules.config.RulesConfig;
import dev.arbiter.service.WebhookAlerts;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.concurrent.CompletableFuture;

/**
 * Posts a proposal's events to the configured Slack-compatible webhook through service-support's {@link WebhookAlerts}
 * (the sender model-service's drift alerts and decision-service's log alerts use): asynchronous, with a timeout, never
 * failing the RPC that caused it.
 */
@ApplicationScoped
public class ProposalAlerts {

    private final WebhookAlerts alerts;

    public ProposalAlerts(RulesConfig config) {
        this.alerts = new WebhookAlerts(config.alerts().webhookUrl(), config.alerts().webhookTimeout());
    }

    /** A proposal was rejected. */
    public CompletableFuture<Void> rejected(RuleProposal p, String author, String reason) {
        return alerts.send("proposal " + p.getProposalId() + " rejected", "rule-service: proposal " + p.getProposalId()
                + " (" + describe(p) + ") was rejected by " + author + ": " + reason);
    }

    /** A proposal was promoted into the live rules. */
    public CompletableFuture<Void> promoted(RuleProposal p, String author, String reason) {
        return alerts.send("proposal " + p.getProposalId() + " promoted", "rule-service: proposal " + p.getProposalId() + " ("
                + describe(p) + ") was promoted by " + author + " as decision-service rule set v" + p.getPromotedRuleSetVersion()
                + ": " + reason);
    }

    /** A promoted proposal was rolled back, by a person or by its guard. */
    public CompletableFuture<Void> rolledBack(RuleProposal p, String author, String reason) {
        return alerts.send("proposal " + p.getProposalId() + " rolled back", "rule-service: proposal " + p.getProposalId() + " ("
                + describe(p) + ") was rolled back by " + author + " (rule set v" + p.getRollbackRuleSetVersion() + " is live): "
                + reason);
    }

    /** A proposal's shadow run completed. */
    public CompletableFuture<Void> shadowComplete(RuleProposal p) {
        return alerts.send("proposal " + p.getProposalId() + " shadow run complete", "rule-service: proposal "
                + p.getProposalId() + " (" + describe(p) + ") completed its shadow run: " + p.getShadow().getVerdict());
    }

    private static String describe(RuleProposal p) {
        return (p.getRule().getRuleId().isEmpty() ? "no rule" : "rule " + p.getRule().getRuleId() + ": "
                + p.getRule().getExpression()) + ", by " + p.getAuthor();
    }

    void drain(@Observes ShutdownEvent e) {
        alerts.drain();
    }
}
