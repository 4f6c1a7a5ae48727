package dev.arbiter.cli.client;

import java.util.Iterator;
import java.util.function.Consumer;
import java.util.function.Function;

/** A server stream of progress messages that ends with one result (RunTraining, RunBacktest). */
public final class UpdateStream {

    private UpdateStream() {
    }

    /**
     * Reads {@code updates} until {@code result} gives non-null; every other message goes to {@code onProgress}.
     *
     * @throws IllegalStateException when the stream ends without a result
     */
    public static <U, R> R result(Iterator<U> updates, Function<U, R> result, Consumer<U> onProgress, String call) {
        while (updates.hasNext()) {
            U u = updates.next();
            R r = result.apply(u);
            if (r != null) {
                return r;
            }
            onProgress.accept(u);
        }
        throw new IllegalStateException(call + " ended without its result");
    }
}
