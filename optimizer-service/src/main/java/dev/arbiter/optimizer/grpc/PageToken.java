package dev.arbiter.optimizer.grpc;

import static dev.arbiter.service.RequestRefused.invalid;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Opaque page tokens and page sizes for the List* RPCs. A token carries the key the next page starts after
 * ("k:" + key, base64url), so pages stay consistent when rows are added meanwhile.
 */
final class PageToken {

    private static final String PREFIX = "k:";

    private PageToken() {
    }

    /** page_size 0 = default, above max = max, negative = INVALID_ARGUMENT. */
    static int size(int requested, int defaultSize, int maxSize) {
        if (requested < 0) {
            throw invalid("page_size", "page_size is " + requested + "; send 1.." + maxSize + ", or 0 for the default (" + defaultSize + ")");
        }
        return requested == 0 ? defaultSize : Math.min(requested, maxSize);
    }

    /** The key a page starts after; "" for the first page. */
    static String after(String token) {
        if (token.isEmpty()) {
            return "";
        }
        try {
            String s = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
            if (s.startsWith(PREFIX) && s.length() > PREFIX.length()) {
                return s.substring(PREFIX.length());
            }
        } catch (IllegalArgumentException e) {
            // not base64: refused below
        }
        throw invalid("page_token", "page_token is not one this service issued; send the previous response's next_page_token, or none for the first page");
    }

    /** The number a page starts after, for pages keyed by a number; {@code first} for the first page. */
    static long afterNumber(String token, long first) {
        String key = after(token);
        if (key.isEmpty()) {
            return first;
        }
        try {
            return Long.parseLong(key);
        } catch (NumberFormatException e) {
            throw invalid("page_token", "page_token is not one this call issued; send the previous response's next_page_token,"
                    + " or none for the first page");
        }
    }

    static String next(String lastKey) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString((PREFIX + lastKey).getBytes(StandardCharsets.UTF_8));
    }
}
