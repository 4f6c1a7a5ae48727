package dev.arbiter.bench.load;

import dev.arbiter.proto.v1.Direction;
import io.grpc.Status;
import java.util.Map;
import java.util.stream.Collectors;
import org.HdrHistogram.Histogram;

/**
 * The figures of one finished phase. Latencies are in ns from each request's due time to its answer; only answers
 * (not errors) are in the histograms.
 *
 * @param degradedReasons degraded decisions by the start of their degraded_reason
 * @param serverLatency Decision.latency.total_micros of each decision (as ns); empty for calls other than Decide
 * @param elapsedSeconds from the first due time to the last answer, or to the end of the phase's schedule if later
 * @param maxLagNanos how far behind its schedule the scheduling thread sent a request, at worst
 */
record Result(String name, long rate, long sent, Histogram latency, Map<Status.Code, Long> errors,
              Map<Status.Code, String> firstErrors, long degraded, Map<String, Long> degradedReasons,
              Map<Direction, Long> directions,
              Histogram serverLatency, double elapsedSeconds, long maxLagNanos) {

    long answered() {
        return latency.getTotalCount();
    }

    long errorCount() {
        return errors.values().stream().mapToLong(Long::longValue).sum();
    }

    double ms(double percentile) {
        return latency.getValueAtPercentile(percentile) / 1e6;
    }

    double maxMs() {
        return latency.getMaxValue() / 1e6;
    }

    double serverMs(double percentile) {
        return serverLatency.getValueAtPercentile(percentile) / 1e6;
    }

    double throughput() {
        return elapsedSeconds > 0 ? answered() / elapsedSeconds : 0;
    }

    double maxLagMs() {
        return maxLagNanos / 1e6;
    }

    /**
     * Why this rate was not sustained, or null when it was: at least {@code minAnsweredShare} of the requests answered
     * within the phase and its drain, no errors, p99 at most {@code maxP99Ms}.
     */
    String shortfall(double minAnsweredShare, double maxP99Ms) {
        if (answered() < minAnsweredShare * sent) {
            return Report.f("%d of %d answered", answered(), sent);
        }
        if (errorCount() > 0) {
            return errorCount() + " errors";
        }
        if (ms(99) > maxP99Ms) {
            return Report.f("p99 %.1f ms > %s ms", ms(99), Report.number(maxP99Ms));
        }
        return null;
    }

    /** "INVALID_ARGUMENT ×3 (first: ...)", one per code. */
    String errorSummary() {
        return errors.entrySet().stream()
                .map(e -> e.getKey() + " ×" + e.getValue() + " (first: " + firstErrors.get(e.getKey()) + ")")
                .collect(Collectors.joining("; "));
    }
}
