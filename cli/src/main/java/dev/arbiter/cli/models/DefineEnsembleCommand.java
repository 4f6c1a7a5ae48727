package dev.arbiter.cli.models;

import dev.arbiter.cli.CliCommand;
import dev.arbiter.cli.client.UsageError;
import dev.arbiter.cli.output.Fmt;
import dev.arbiter.cli.output.Table;
import dev.arbiter.proto.v1.DefineEnsembleRequest;
import dev.arbiter.proto.v1.EnsembleDefinition;
import dev.arbiter.proto.v1.EnsembleMember;
import dev.arbiter.proto.v1.EnsembleWeightConfig;
import dev.arbiter.proto.v1.ModelVersionRef;
import java.io.PrintWriter;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code arbiter models define-ensemble NAME --member MODEL:VERSION ...}. */
@Command(name = "define-ensemble", mixinStandardHelpOptions = true, abbreviateSynopsis = true,
        header = "Create or redefine an ensemble of model versions.", sortOptions = false,
        description = {"Create an ensemble of ACTIVE or SHADOW model versions, or replace its members (revision + 1). "
                + "Members that stay keep their weights; weights then follow each member's recent accuracy.",
                "Example: arbiter models define-ensemble default --member gbt-demand:1 --member logreg-demand:1=0.5"})
public class DefineEnsembleCommand extends CliCommand {

    @Parameters(index = "0", paramLabel = "NAME", description = "The ensemble, e.g. default.")
    String name;

    @Option(names = "--member", required = true, paramLabel = "MODEL:VERSION[=WEIGHT]",
            description = "A member, repeatable; WEIGHT is its starting score (default: an equal share).")
    List<String> members;

    @Option(names = "--half-life", paramLabel = "OUTCOMES", defaultValue = "0",
            description = "Outcomes after which an outcome's influence on the weights halves (default: the service's).")
    double halfLife;

    @Option(names = "--floor", paramLabel = "SCORE", defaultValue = "0",
            description = "Least score before normalisation, in [0, 1), so a member can recover (default: ${DEFAULT-VALUE}).")
    double floor;

    @Option(names = "--description", paramLabel = "TEXT", description = "What the ensemble is for.")
    String description;

    @Option(names = "--meta-model", paramLabel = "MODEL:VERSION",
            description = "The learned gate's model (arbiter train --kind logreg --meta-of ...), ACTIVE or SHADOW: "
                    + "Predict then answers its meta_probability, which the policy's meta.* parameters read.")
    String metaModel;

    @Option(names = "--expected-revision", paramLabel = "N", defaultValue = "0",
            description = "Refuse unless the ensemble is still at this revision (safe concurrent edits).")
    int expectedRevision;

    DefineEnsembleRequest request() {
        EnsembleDefinition.Builder e = EnsembleDefinition.newBuilder().setName(name)
                .setWeightConfig(EnsembleWeightConfig.newBuilder().setHalfLifeOutcomes(halfLife).setFloor(floor));
        if (description != null) {
            e.setDescription(description);
        }
        for (String m : members) {
            e.addMembers(member(m));
        }
        if (metaModel != null) {
            int colon = metaModel.lastIndexOf(':');
            if (colon <= 0) {
                throw new UsageError("--meta-model '" + metaModel + "' is not MODEL:VERSION, e.g. gate-demand:1");
            }
            e.setMetaModel(ModelVersionRef.newBuilder().setModelName(metaModel.substring(0, colon))
                    .setVersion(Versions.parse("--meta-model " + metaModel + ": the version", metaModel.substring(colon + 1))));
        }
        return DefineEnsembleRequest.newBuilder().setEnsemble(e).setExpectedRevision(expectedRevision).build();
    }

    static EnsembleMember member(String text) {
        int colon = text.lastIndexOf(':');
        if (colon <= 0) {
            throw new UsageError("--member '" + text + "' is not MODEL:VERSION[=WEIGHT], e.g. gbt-demand:1 or gbt-demand:1=0.5");
        }
        String version = text.substring(colon + 1);
        double weight = 0;
        int eq = version.indexOf('=');
        if (eq >= 0) {
            try {
                weight = Double.parseDouble(version.substring(eq + 1));
            } catch (NumberFormatException e) {
                throw new UsageError("--member '" + text + "': the weight after '=' is not a number");
            }
            version = version.substring(0, eq);
        }
        return EnsembleMember.newBuilder().setModelName(text.substring(0, colon))
                .setVersion(Versions.parse("--member " + text + ": the version", version)).setInitialWeight(weight).build();
    }

    @Override
    public Integer call() {
        DefineEnsembleRequest request = request();
        EnsembleDefinition e = models(s -> s.defineEnsemble(request));
        print(e, out());
        return 0;
    }

    static void print(EnsembleDefinition e, PrintWriter out) {
        out.println("ensemble " + e.getName() + " revision " + e.getRevision() + " (half-life "
                + Fmt.num(e.getWeightConfig().getHalfLifeOutcomes(), 0) + " outcomes, floor "
                + Fmt.num(e.getWeightConfig().getFloor(), 3) + ")" + (e.getDescription().isEmpty() ? "" : ": " + e.getDescription()));
        Table t = new Table().left("member").right("version").right("initial weight");
        for (EnsembleMember m : e.getMembersList()) {
            t.row(m.getModelName(), "v" + m.getVersion(), m.getInitialWeight() == 0 ? "equal share" : Fmt.num(m.getInitialWeight(), 3));
        }
        t.print(out);
    }
}
