package dev.arbiter.engine.experiment;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Which arm of an experiment a series belongs to: a hash of the experiment's salt and the series id, so one series
 * falls in unrelated arms of different experiments (an unsalted hash puts the same series in the first arm of every
 * experiment, and any series-level difference carries from one experiment to the next), and stays in its arm for the
 * whole of one experiment.
 */
public final class Assignment {

    private Assignment() {
    }

    /**
     * Uniform in [0, 1): the first 53 bits of SHA-256(salt, 0x00, series id), both as UTF-8; with the empty salt, of
     * SHA-256(series id) alone (how variants were assigned before experiments had salts).
     */
    public static double unit(String salt, String seriesId) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            if (!salt.isEmpty()) {
                sha.update(salt.getBytes(StandardCharsets.UTF_8));
                sha.update((byte) 0);
            }
            byte[] d = sha.digest(seriesId.getBytes(StandardCharsets.UTF_8));
            return (ByteBuffer.wrap(d).getLong() >>> 11) * 0x1.0p-53;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The arm of {@code seriesId}: the first i whose cumulative share passes the series' unit hash, or -1 (the part of
     * traffic in no arm) when the shares sum to less than 1 and the hash falls beyond them.
     */
    public static int arm(String salt, String seriesId, double[] shares) {
        double u = unit(salt, seriesId);
        double cumulative = 0;
        for (int i = 0; i < shares.length; i++) {
            cumulative += shares[i];
            if (u < cumulative) {
                return i;
            }
        }
        return -1;
    }
}
