package dev.arbiter.bench;

import dev.arbiter.engine.policy.PolicyParameters;
import dev.arbiter.engine.simulation.SimulationData;
import dev.arbiter.engine.simulation.SimulationMetrics;
import dev.arbiter.engine.simulation.Simulator;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The simulator's throughput: one simulation is one policy parameter vector over 1,000 steps with the full
 * policy (confidence, gates, sizing, caps, drawdown brake, cooldown). {@code main} runs the whole
 * workload (25 million simulations) and prints the wall time, then the same batches one simulation after another
 * (the path without the Vector API) for the ratio. The forks and {@code main} need
 * {@code --add-modules jdk.incubator.vector} for the vectorized path ({@code Simulator.VECTORIZED}).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = "--add-modules=jdk.incubator.vector")
public class SimulatorBenchmark {

    static final int STEPS = 1_000;
    static final int DISTINCT_PARAMETER_SETS = 8_192;
    static final int BATCH = 16_384;

    private Simulator simulator;
    private PolicyParameters[] parameters;
    private PolicyParameters[] batch;
    private Simulator.Scratch scratch;
    private final SimulationMetrics metrics = new SimulationMetrics();
    private int next;

    @Setup
    public void setUp() {
        simulator = new Simulator(data(42));
        parameters = parameterSets(7, DISTINCT_PARAMETER_SETS);
        batch = new PolicyParameters[BATCH];
        for (int i = 0; i < BATCH; i++) {
            batch[i] = parameters[i % parameters.length];
        }
        scratch = simulator.newScratch();
    }

    /** One simulation on one thread. */
    @Benchmark
    public double oneSimulationOneThread() {
        simulator.run(parameters[next++ & (DISTINCT_PARAMETER_SETS - 1)], Simulator.Mode.FULL_POLICY, scratch, metrics);
        return metrics.pnl;
    }

    /** A batch of simulations spread over every core by {@code Simulator.runAll} (vectorized when it can be). */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public double batchOnAllCores() {
        return simulator.runAll(batch, Simulator.Mode.FULL_POLICY)[SimulationMetrics.PNL];
    }

    /** The baseline of {@link #batchOnAllCores}: the same batch, one simulation after another on every core. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public double batchOnAllCoresOneByOne() {
        return simulator.runAllOneByOne(batch, Simulator.Mode.FULL_POLICY)[SimulationMetrics.PNL];
    }

    /**
     * 1,000 steps of a synthetic series whose probability carries a weak real signal, with wandering volatility
     * and trend, so every gate decides sometimes and the policy acts on roughly a third of the steps.
     */
    static SimulationData data(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] p = new double[STEPS];
        double[] agreement = new double[STEPS];
        double[] volatility = new double[STEPS];
        double[] trend = new double[STEPS];
        double[] forward = new double[STEPS];
        double v = 0.015;
        for (int t = 0; t < STEPS; t++) {
            v = Math.max(0.002, Math.min(0.09, v * Math.exp(0.2 * r.nextGaussian())));
            double signal = r.nextGaussian();
            forward[t] = v * (0.15 * signal + r.nextGaussian());
            p[t] = 1 / (1 + Math.exp(-(0.8 * signal + 0.8 * r.nextGaussian())));
            agreement[t] = 0.4 + 0.6 * r.nextDouble();
            volatility[t] = v;
            trend[t] = r.nextDouble();
        }
        return new SimulationData(p, agreement, volatility, trend, null, forward, 5, 0.0002);
    }

    /** Random parameter vectors over the ranges an optimizer would search. */
    static PolicyParameters[] parameterSets(long seed, int count) {
        SplittableRandom r = new SplittableRandom(seed);
        PolicyParameters[] ps = new PolicyParameters[count];
        for (int i = 0; i < count; i++) {
            ps[i] = PolicyParameters.defaults().with(Map.of(
                    "gate.min_edge", r.nextDouble() * 0.1,
                    "gate.min_confidence", r.nextDouble() * 0.5,
                    "gate.min_agreement", r.nextDouble() * 0.8,
                    "gate.max_volatility", 0.02 + r.nextDouble() * 0.08,
                    "confidence.edge_scale", 1 + r.nextDouble() * 4,
                    "risk.max_size", 0.05 + r.nextDouble() * 0.4,
                    "risk.drawdown_soft", r.nextDouble() * 0.05,
                    "risk.drawdown_limit", 0.05 + r.nextDouble() * 0.2,
                    "risk.cooldown_losses", (double) r.nextInt(6)));
        }
        return ps;
    }

    /**
     * Runs {@code args[0]} simulations (default 25,000,000) on every core and prints the rate, then
     * {@code args[1]} (default 1,048,576) of the same batches one simulation after another, for the ratio.
     */
    public static void main(String[] args) {
        long total = args.length > 0 ? Long.parseLong(args[0]) : 25_000_000L;
        long baseline = args.length > 1 ? Long.parseLong(args[1]) : 1L << 20;
        SimulatorBenchmark b = new SimulatorBenchmark();
        b.setUp();
        if (!Simulator.VECTORIZED) {
            System.out.println("not vectorized: start the JVM with --add-modules jdk.incubator.vector");
        }
        double rate = workload("runAll", total, () -> b.simulator.runAll(b.batch, Simulator.Mode.FULL_POLICY));
        if (baseline > 0) {
            double oneByOne = workload("runAllOneByOne", baseline,
                    () -> b.simulator.runAllOneByOne(b.batch, Simulator.Mode.FULL_POLICY));
            System.out.printf(Locale.ROOT, "runAll / runAllOneByOne: %.2f%n", rate / oneByOne);
        }
    }

    private static double workload(String name, long total, java.util.function.Supplier<double[]> batch) {
        for (int i = 0; i < 20; i++) { // warm up: let the JIT compile the loop
            batch.get();
        }
        long start = System.nanoTime();
        long done = 0;
        double checksum = 0;
        while (done < total) {
            checksum += batch.get()[SimulationMetrics.PNL];
            done += BATCH;
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        int cores = Runtime.getRuntime().availableProcessors();
        System.out.printf(Locale.ROOT, "%s: %,d simulations x %,d steps on %d cores in %.1f s: %,.0f simulations/s, %.2f ns per step per core (checksum %.6f)%n",
                name, done, STEPS, cores, seconds, done / seconds, seconds * 1e9 * cores / (done * (double) STEPS), checksum);
        return done / seconds;
    }
}
