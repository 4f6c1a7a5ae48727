package dev.arbiter.cli;

import dev.arbiter.cli.client.Service;
import dev.arbiter.cli.client.Services;
import dev.arbiter.cli.output.Progress;
import dev.arbiter.proto.v1.DecisionServiceGrpc;
import dev.arbiter.proto.v1.DecisionServiceGrpc.DecisionServiceBlockingStub;
import dev.arbiter.proto.v1.FeatureServiceGrpc;
import dev.arbiter.proto.v1.FeatureServiceGrpc.FeatureServiceBlockingStub;
import dev.arbiter.proto.v1.ModelServiceGrpc;
import dev.arbiter.proto.v1.ModelServiceGrpc.ModelServiceBlockingStub;
import dev.arbiter.proto.v1.OptimizerServiceGrpc;
import dev.arbiter.proto.v1.OptimizerServiceGrpc.OptimizerServiceBlockingStub;
import dev.arbiter.proto.v1.RuleServiceGrpc;
import dev.arbiter.proto.v1.RuleServiceGrpc.RuleServiceBlockingStub;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import java.util.function.Function;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * A command that does something: answers go to standard output, progress and warnings to standard error; it
 * returns its exit code, and failures (a refusal, an unreachable service, a usage error) are thrown and put into
 * words and exit codes in one place ({@link Arbiter}).
 */
public abstract class CliCommand implements Callable<Integer> {

    @Spec
    protected CommandSpec spec;

    protected ArbiterCommand root() {
        return (ArbiterCommand) spec.root().userObject();
    }

    protected Services services() {
        return root().services();
    }

    protected PrintWriter out() {
        return spec.commandLine().getOut();
    }

    protected PrintWriter err() {
        return spec.commandLine().getErr();
    }

    protected Progress progress(String label) {
        return new Progress(err(), root().progressMode(), label);
    }

    /** One request/answer call to optimizer-service, with the call deadline. */
    protected <T> T optimizer(Function<OptimizerServiceBlockingStub, T> call) {
        return services().call(Service.OPTIMIZER,
                () -> call.apply(services().unary(Service.OPTIMIZER, OptimizerServiceGrpc::newBlockingStub)));
    }

    /** One request/answer call to model-service, with the call deadline. */
    protected <T> T models(Function<ModelServiceBlockingStub, T> call) {
        return services().call(Service.MODELS,
                () -> call.apply(services().unary(Service.MODELS, ModelServiceGrpc::newBlockingStub)));
    }

    /** One request/answer call to decision-service, with the call deadline. */
    protected <T> T decisions(Function<DecisionServiceBlockingStub, T> call) {
        return services().call(Service.DECISIONS,
                () -> call.apply(services().unary(Service.DECISIONS, DecisionServiceGrpc::newBlockingStub)));
    }

    /** One request/answer call to rule-service, with the call deadline. */
    protected <T> T rules(Function<RuleServiceBlockingStub, T> call) {
        return services().call(Service.RULES,
                () -> call.apply(services().unary(Service.RULES, RuleServiceGrpc::newBlockingStub)));
    }

    /** One request/answer call to feature-service, with the call deadline. */
    protected <T> T features(Function<FeatureServiceBlockingStub, T> call) {
        return services().call(Service.FEATURES,
                () -> call.apply(services().unary(Service.FEATURES, FeatureServiceGrpc::newBlockingStub)));
    }
}
