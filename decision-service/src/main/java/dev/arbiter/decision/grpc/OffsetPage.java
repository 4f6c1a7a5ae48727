package dev.arbiter.decision.grpc;

import static dev.arbiter.service.RequestRefused.invalid;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** Offset paging with an opaque token (for version lists, which only grow at the front), per common.proto. */
record OffsetPage(int size, int offset, String kind) {

    static final int DEFAULT_SIZE = 50;
    static final int MAX_SIZE = 500;

    /** {@code kind} ties a token to its list, so a token of another list is refused. */
    static OffsetPage of(int size, String token, String kind) {
        if (size < 0) {
            throw invalid("page_size", "page_size is " + size + "; send 1.." + MAX_SIZE + ", or 0 for the default (" + DEFAULT_SIZE + ")");
        }
        int offset = 0;
        if (!token.isEmpty()) {
            try {
                String s = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
                if (!s.startsWith(kind + ":")) {
                    throw new IllegalArgumentException(s);
                }
                offset = Integer.parseInt(s.substring(kind.length() + 1));
                if (offset < 0) {
                    throw new IllegalArgumentException(s);
                }
            } catch (IllegalArgumentException e) {
                throw invalid("page_token", "page_token is not one this list issued; send the previous next_page_token, or none for the first page");
            }
        }
        return new OffsetPage(size == 0 ? DEFAULT_SIZE : Math.min(size, MAX_SIZE), offset, kind);
    }

    String next(long total) {
        return (long) offset + size < total
                ? Base64.getUrlEncoder().withoutPadding().encodeToString((kind + ":" + (offset + size)).getBytes(StandardCharsets.UTF_8))
                : "";
    }
}
