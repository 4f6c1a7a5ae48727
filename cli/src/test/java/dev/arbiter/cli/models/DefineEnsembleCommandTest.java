package dev.arbiter.cli.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arbiter.cli.Cli;
import dev.arbiter.proto.v1.DefineEnsembleRequest;
import org.junit.jupiter.api.Test;

/** What define-ensemble sends, and the mistakes it catches before any call. */
class DefineEnsembleCommandTest {

    @Test
    void membersWeightsAndTheLearnedGatesModel() {
        DefineEnsembleRequest r = Cli.<DefineEnsembleCommand>parse("models", "define-ensemble", "gated", "--member",
                "gbt-demand:1", "--member", "logreg-demand:3=0.5", "--meta-model", "gate-demand:2").request();
        assertEquals(2, r.getEnsemble().getMembersCount());
        assertEquals(0.5, r.getEnsemble().getMembers(1).getInitialWeight());
        assertEquals("gate-demand", r.getEnsemble().getMetaModel().getModelName());
        assertEquals(2, r.getEnsemble().getMetaModel().getVersion());
        assertFalse(Cli.<DefineEnsembleCommand>parse("models", "define-ensemble", "plain", "--member", "gbt-demand:1")
                .request().getEnsemble().hasMetaModel());
    }

    @Test
    void aMetaModelWithoutItsVersionIsAUsageError() {
        Cli.Result r = Cli.run("models", "define-ensemble", "gated", "--member", "gbt-demand:1", "--meta-model", "gate-demand");
        assertEquals(dev.arbiter.cli.client.Failures.USAGE, r.exitCode(), r.err());
        assertTrue(r.err().contains("--meta-model 'gate-demand' is not MODEL:VERSION"), r.err());
    }
}
