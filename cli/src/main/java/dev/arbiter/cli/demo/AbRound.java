package dev.arbiter.cli.demo;

import dev.arbiter.cli.client.Service;
import dev.arbiter.cli.client.Services;
import dev.arbiter.proto.v1.AbReadout;
import dev.arbiter.proto.v1.DecisionServiceGrpc;
import dev.arbiter.proto.v1.GetAbReadoutRequest;
import dev.arbiter.proto.v1.ListVariantsRequest;
import dev.arbiter.proto.v1.Observation;
import dev.arbiter.proto.v1.ParameterSet;
import dev.arbiter.proto.v1.ParameterValue;
import dev.arbiter.proto.v1.SetParametersRequest;
import dev.arbiter.proto.v1.SetVariantsRequest;
import dev.arbiter.proto.v1.Variant;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The demo's A/B experiment: the live policy (A) against a stricter variant (B: {@code gate.min_edge} half as large
 * again, so it acts less often), both over the replayed part of the series. Variants are assigned per series, and the
 * demo has one series, so the replay runs again as {@value #SERIES} series that differ only in their id, half of
 * them (chosen by the experiment's salted hash, computed here as the contract states it) in each arm, replayed at
 * once: the two policies meet the same observations and the same portfolio. decision-service's {@code GetAbReadout} then reads the experiment as it would any other.
 * The variant is removed at the end, so what runs afterwards (with --keep-running) is the live policy alone.
 */
final class AbRound {

    static final String VARIANT = "demo-stricter";
    static final int SERIES = 8;
    static final double STRICTER = 1.5;

    /** What ran and what decision-service read of it. */
    record Result(AbReadout readout, String description, List<String> series, int decisions) {
    }

    /** Warms one series' features, and replays it waiting for every decision and outcome. */
    interface SeriesReplay {
        void warm(String seriesId) throws IOException, InterruptedException;

        int replay(String seriesId) throws IOException, InterruptedException;
    }

    private AbRound() {
    }

    static Result run(Services s, String runId, double minEdge, SeriesReplay replay) throws IOException, InterruptedException {
        double stricter = minEdge * STRICTER;
        String description = String.format(Locale.ROOT, "B acts only where |p - 0.5| reaches %.4f, A (live) %.4f", stricter,
                minEdge);
        var decisions = s.unary(Service.DECISIONS, DecisionServiceGrpc::newBlockingStub);
        ParameterSet staged = s.call(Service.DECISIONS, () -> decisions.setParameters(SetParametersRequest.newBuilder()
                .putValues("gate.min_edge", ParameterValue.newBuilder().setDoubleValue(stricter).build())
                .setStageOnly(true).setAuthor("arbiter demo").setReason("the demo's A/B variant: " + description)
                .build()));
        s.call(Service.DECISIONS, () -> decisions.setVariants(SetVariantsRequest.newBuilder()
                .addVariants(Variant.newBuilder().setName(VARIANT).setSplitFraction(0.5)
                        .setParameterSetVersion(staged.getVersion()).setDescription(description))
                .setAuthor("arbiter demo").setReason("the demo's A/B experiment").build()));
        try {
            String salt = s.call(Service.DECISIONS, () -> decisions.listVariants(ListVariantsRequest.getDefaultInstance())).getSalt();
            List<String> series = balanced(salt, runId);
            for (String id : series) {
                replay.warm(id);
            }
            int decided = concurrently(series, replay);
            AbReadout readout = s.call(Service.DECISIONS, () -> decisions.getAbReadout(GetAbReadoutRequest.newBuilder()
                    .setVariantName(VARIANT).build()));
            return new Result(readout, description, series, decided);
        } finally {
            s.call(Service.DECISIONS, () -> decisions.setVariants(SetVariantsRequest.newBuilder()
                    .setAuthor("arbiter demo").setReason("the demo's A/B experiment is over").build()));
        }
    }

    /**
     * Replays every series at once, as live traffic would arrive: the portfolio's exposure cap and drawdown are shared,
     * and one after the other the arms would meet different portfolios (the last arm finding the cap taken by the
     * positions the first left open at the end of the data).
     */
    private static int concurrently(List<String> series, SeriesReplay replay) throws IOException, InterruptedException {
        ExecutorService pool = Executors.newFixedThreadPool(series.size());
        try {
            List<Future<Integer>> runs = new ArrayList<>();
            for (String id : series) {
                runs.add(pool.submit(() -> replay.replay(id)));
            }
            int decided = 0;
            for (Future<Integer> f : runs) {
                try {
                    decided += f.get();
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof IOException io) {
                        throw io;
                    }
                    throw new IllegalStateException("an A/B series' replay failed: " + e.getCause(), e.getCause());
                }
            }
            return decided;
        } finally {
            pool.shutdownNow();
        }
    }

    /** {@value #SERIES} series ids, half in the variant (hash below its share of 0.5) and half in the live policy. */
    static List<String> balanced(String salt, String runId) {
        List<String> inB = new ArrayList<>();
        List<String> inA = new ArrayList<>();
        for (int k = 0; inA.size() < SERIES / 2 || inB.size() < SERIES / 2; k++) {
            String id = "demo-ab-" + runId + "-" + k;
            List<String> arm = unitHash(salt, id) < 0.5 ? inB : inA;
            if (arm.size() < SERIES / 2) {
                arm.add(id);
            }
        }
        List<String> out = new ArrayList<>(inA);
        out.addAll(inB);
        return out;
    }

    /**
     * Where a series falls in [0, 1), as the contract states it (ListVariantsResponse.salt): the first 53 bits of
     * SHA-256(salt, 0x00, series_id) read as a fraction. Computed here from the .proto's rule, as any client would.
     */
    static double unitHash(String salt, String seriesId) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update((salt + "\0" + seriesId).getBytes(StandardCharsets.UTF_8));
            return (ByteBuffer.wrap(sha.digest()).getLong() >>> 11) / (double) (1L << 53);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is in every JDK", e);
        }
    }

    /** The observations again under another series id. */
    static List<Observation> as(List<Observation> observations, String seriesId) {
        return observations.stream().map(o -> o.toBuilder().setSeriesId(seriesId).build()).toList();
    }
}
