package dev.arbiter.cli.client;

import java.util.function.Consumer;
import java.util.function.Function;

/** Walks a paged list call (common.proto's page_token convention) to its last page. */
public final class Pages {

    private Pages() {
    }

    /**
     * Calls {@code page} with "" and then with each next_page_token until one is empty, handing every answer to
     * {@code each}.
     */
    public static <R> void all(Function<String, R> page, Function<R, String> nextToken, Consumer<R> each) {
        String token = "";
        do {
            R r = page.apply(token);
            each.accept(r);
            token = nextToken.apply(r);
        } while (!token.isEmpty());
    }
}
