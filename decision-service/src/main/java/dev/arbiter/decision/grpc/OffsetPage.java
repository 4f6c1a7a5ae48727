package dev.arbiter.decision.grpc;

import dev.arbiter.service.PageTokens;

/** Offset paging (for version lists, which only grow at the front) with service-support's PageTokens. */
record OffsetPage(int size, int offset, String kind) {

    static final int DEFAULT_SIZE = 50;
    static final int MAX_SIZE = 500;

    /** {@code kind} ties a token to its list, so a token of another list is refused. */
    static OffsetPage of(int size, String token, String kind) {
        return new OffsetPage(PageTokens.size(size, DEFAULT_SIZE, MAX_SIZE), PageTokens.offset(token, kind), kind);
    }

    String next(long total) {
        return PageTokens.nextOffset(kind, offset, size, total);
    }
}
