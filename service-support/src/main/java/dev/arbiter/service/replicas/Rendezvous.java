package dev.arbiter.service.replicas;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Rendezvous (highest random weight) hashing: a key belongs to the member with the highest score of (member, key).
 * When a member leaves only its keys move, each to the member that scored second for it; when one joins it takes
 * from every other member only the keys it now scores highest for: about 1/n of them. No ring, no virtual nodes,
 * and every process that sees the same members agrees on every owner.
 */
public final class Rendezvous {

    private Rendezvous() {
    }

    /** The member {@code key} belongs to; null when there are no members. */
    public static String owner(String key, List<String> members) {
        long k = hash(key);
        String best = null;
        long bestScore = 0;
        for (String m : members) {
            long score = score(hash(m), k);
            if (best == null || Long.compareUnsigned(score, bestScore) > 0
                    || (score == bestScore && m.compareTo(best) < 0)) {
                best = m;
                bestScore = score;
            }
        }
        return best;
    }

    /** The score of a member (by its {@link #hash}) for a key (by its hash). */
    static long score(long memberHash, long keyHash) {
        return mix(memberHash ^ mix(keyHash));
    }

    /** FNV-1a over the UTF-8 bytes, then a finaliser: stable across processes, versions and JVMs. */
    public static long hash(String s) {
        long h = 0xcbf29ce484222325L;
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xff;
            h *= 0x100000001b3L;
        }
        return mix(h);
    }

    /** SplitMix64's finaliser: every input bit moves every output bit. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
