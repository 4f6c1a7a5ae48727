package dev.arbiter.rules.proposal;

import dev.arbiter.proto.v1.RuleProposal;
import dev.arbiter.service.alerts.Alert;
import dev.arbiter.service.alerts.AlertEvent;
import dev.arbiter.service.alerts.AlertSender;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.CompletableFuture;

/**
 * A proposal's events through the shared {@link AlertSender} (webhook and email; the sender every service uses):
 * asynchronous, with a timeout, never failing the RPC that caused it. Promotions and rollbacks are the
 * {@code promotion} and {@code rollback} events; rejections and shadow results {@code rule_proposal}.
 */
@ApplicationScoped
public class ProposalAlerts {

    private final AlertSender alerts;

    public ProposalAlerts(AlertSender alerts) {
        this.alerts = alerts;
    }

    /** A proposal was rejected. */
    public CompletableFuture<AlertSender.Outcome> rejected(RuleProposal p, String author, String reason) {
        return send(AlertEvent.RULE_PROPOSAL, p, "rejected", "proposal " + p.getProposalId() + " (" + describe(p)
                + ") was rejected by " + author + ": " + reason);
    }

    /** A proposal was promoted into the live rules. */
    public CompletableFuture<AlertSender.Outcome> promoted(RuleProposal p, String author, String reason) {
        return send(AlertEvent.PROMOTION, p, "promoted", "proposal " + p.getProposalId() + " (" + describe(p)
                + ") was promoted by " + author + " as decision-service rule set v" + p.getPromotedRuleSetVersion()
                + ": " + reason);
    }

    /** A promoted proposal was rolled back, by a person or by its guard. */
    public CompletableFuture<AlertSender.Outcome> rolledBack(RuleProposal p, String author, String reason) {
        return send(AlertEvent.ROLLBACK, p, "rolled back", "proposal " + p.getProposalId() + " (" + describe(p)
                + ") was rolled back by " + author + " (rule set v" + p.getRollbackRuleSetVersion() + " is live): " + reason);
    }

    /** A proposal's shadow run completed. */
    public CompletableFuture<AlertSender.Outcome> shadowComplete(RuleProposal p) {
        return send(AlertEvent.RULE_PROPOSAL, p, "shadow run complete", "proposal " + p.getProposalId() + " ("
                + describe(p) + ") completed its shadow run: " + p.getShadow().getVerdict());
    }

    private CompletableFuture<AlertSender.Outcome> send(AlertEvent event, RuleProposal p, String what, String text) {
        return alerts.send(new Alert(event, "proposal " + p.getProposalId() + " " + what,
                "proposal " + p.getProposalId() + " " + what, text));
    }

    private static String describe(RuleProposal p) {
        return (p.getRule().getRuleId().isEmpty() ? "no rule" : "rule " + p.getRule().getRuleId() + ": "
                + p.getRule().getExpression()) + ", by " + p.getAuthor();
    }
}
