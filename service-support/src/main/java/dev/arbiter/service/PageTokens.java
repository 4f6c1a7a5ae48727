package dev.arbiter.service;

import static dev.arbiter.service.RequestRefused.invalid;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * The one page-token codec of every List RPC, as common.proto's paging convention describes: a token is opaque to the
 * client (base64url of {@code KIND:KEY}), where KIND names the list that issued it, so a token of another list is
 * refused, and KEY is where the next page starts (the last row's key, or an offset). page_size 0 is the list's
 * default, above its maximum is lowered to it, negative is refused. Every refusal is INVALID_ARGUMENT on
 * {@code page_size} or {@code page_token}.
 */
public final class PageTokens {

    private PageTokens() {}

    /** The page size to serve for {@code requested}: 0 = {@code defaultSize}, capped at {@code maxSize}. */
    public static int size(int requested, int defaultSize, int maxSize) {
        if (requested < 0) {
            throw invalid("page_size", "page_size is " + requested + "; send 1.." + maxSize + ", or 0 for the default ("
                    + defaultSize + ")");
        }
        return requested == 0 ? defaultSize : Math.min(requested, maxSize);
    }

    /** The token of the page that starts after {@code key} in list {@code kind}. */
    public static String next(String kind, String key) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString((kind + ":" + key).getBytes(StandardCharsets.UTF_8));
    }

    /** The key a page starts after: "" for the first page (no token); refuses a token list {@code kind} did not issue. */
    public static String after(String token, String kind) {
        if (token.isEmpty()) {
            return "";
        }
        try {
            String s = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
            if (s.startsWith(kind + ":") && s.length() > kind.length() + 1) {
                return s.substring(kind.length() + 1);
            }
        } catch (IllegalArgumentException notBase64) {
            // refused below
        }
        throw notIssued();
    }

    /** For lists paged by offset: where the page starts, 0 for the first page. */
    public static int offset(String token, String kind) {
        String key = after(token, kind);
        if (key.isEmpty()) {
            return 0;
        }
        try {
            int offset = Integer.parseInt(key);
            if (offset >= 0) {
                return offset;
            }
        } catch (NumberFormatException e) {
            // refused below
        }
        throw notIssued();
    }

    /** For lists keyed by a number: the number a page starts after, {@code first} for the first page. */
    public static long afterNumber(String token, String kind, long first) {
        String key = after(token, kind);
        if (key.isEmpty()) {
            return first;
        }
        try {
            return Long.parseLong(key);
        } catch (NumberFormatException e) {
            throw notIssued();
        }
    }

    /** The token after a page served from {@code offset} of {@code total} rows; "" when it was the last page. */
    public static String nextOffset(String kind, int offset, int size, long total) {
        return (long) offset + size < total ? next(kind, Integer.toString(offset + size)) : "";
    }

    /** The refusal of a token whose key does not parse: not one this list issued. */
    public static RequestRefused notIssued() {
        return invalid("page_token", "page_token is not one this list issued; send the previous response's"
                + " next_page_token, or none for the first page");
    }
}
