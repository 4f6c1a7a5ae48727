package dev.arbiter.cli.csv;

import dev.arbiter.cli.client.OutboundStream;
import dev.arbiter.cli.client.Service;
import dev.arbiter.cli.client.Services;
import dev.arbiter.proto.v1.Observation;
import dev.arbiter.proto.v1.Problem;
import io.grpc.Status;
import java.io.IOException;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Streams the observations of a CSV into a bidirectional call that answers once per request, in order (DecideStream,
 * IngestStream): at most {@code window} requests are in flight, and each answer is handed over with the CSV line it
 * belongs to, so problems point at their line.
 *
 * @param <Q> request type
 * @param <A> answer type
 */
public final class ObservationFeed<Q, A> {

    private final Semaphore window;
    private final Queue<Long> lines = new ConcurrentLinkedQueue<>();
    private final BiConsumer<Long, A> onAnswer;
    private final OutboundStream<Q, A> stream;

    public ObservationFeed(Services services, Service service, int window, BiConsumer<Long, A> onAnswer) {
        this.window = new Semaphore(window);
        this.onAnswer = onAnswer;
        this.stream = new OutboundStream<>(services, service, this::answered);
    }

    /** The observer to start the call with, e.g. {@code stub.decideStream(feed.observer())}. */
    public OutboundStream<Q, A> observer() {
        return stream;
    }

    /**
     * Sends every row of {@code reader}, waits for the last answer and returns the number of observations sent.
     * Rows the reader rejects go to {@code onRejected}; a failed call is thrown as a ServiceError.
     */
    public long run(Rows reader, Function<Observation, Q> request, Consumer<ObservationReader.Row> onRejected)
            throws IOException {
        long sent = 0;
        try {
            ObservationReader.Row row;
            while ((row = reader.next()) != null) {
                if (row.rejected()) {
                    onRejected.accept(row);
                    continue;
                }
                while (!window.tryAcquire(100, TimeUnit.MILLISECONDS)) {
                    if (stream.ended()) {
                        stream.finish(); // throws the call's error
                    }
                }
                lines.add(row.line());
                stream.send(request.apply(row.observation()));
                sent++;
            }
        } catch (IOException | RuntimeException e) {
            stream.cancel("the CLI stopped: " + e.getMessage(), e);
            throw e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stream.cancel("interrupted", e);
            throw new IllegalStateException("interrupted", e);
        }
        stream.finish();
        return sent;
    }

    /** Where the rows come from: a CSV ({@link ObservationReader}) or observations already in memory. */
    @FunctionalInterface
    public interface Rows {
        /** The next row, or null at the end. */
        ObservationReader.Row next() throws IOException;
    }

    /** A per-item refusal for people: "line 5: refused (INVALID_ARGUMENT) observation.value is NaN ...". */
    public static String refused(long line, Problem problem) {
        return "line " + line + ": refused (" + Status.fromCodeValue(problem.getCode()).getCode() + ") " + problem.getMessage();
    }

    private void answered(A answer) {
        Long line = lines.poll();
        window.release();
        onAnswer.accept(line == null ? -1 : line, answer);
    }
}
