package dev.arbiter.engine.stats;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class BlockBootstrapTest {

    @Test
    void sameSeedSamePathsAndEveryPathKeepsTheLength() {
        double[] pnl = new SplittableRandom(1).doubles(500, -0.01, 0.012).toArray();
        assertArrayEquals(BlockBootstrap.resample(pnl, 10, 200, 7), BlockBootstrap.resample(pnl, 10, 200, 7));
        // a constant series resamples to itself whatever the blocks
        double[] flat = new double[100];
        java.util.Arrays.fill(flat, 0.001);
        double[] m = BlockBootstrap.resample(flat, 5, 10, 3);
        for (int b = 0; b < 10; b++) {
            assertEquals(0.1, m[b * BlockBootstrap.STATISTICS + BlockBootstrap.PNL], 1e-12);
            assertEquals(0, m[b * BlockBootstrap.STATISTICS + BlockBootstrap.MAX_DRAWDOWN]);
        }
    }

    @Test
    void longerBlocksKeepSerialDependenceAndWidenTheDrawdownBand() {
        // a strongly autocorrelated pnl: runs of 50 gains then 50 losses. Short blocks break the runs apart,
        // so the drawdowns they produce are smaller than those of long blocks, which keep whole losing runs.
        double[] pnl = new double[2_000];
        for (int i = 0; i < pnl.length; i++) {
            pnl[i] = (i / 50) % 2 == 0 ? 0.001 : -0.0009;
        }
        double[] shortBlocks = BlockBootstrap.sortedColumn(BlockBootstrap.resample(pnl, 1, 400, 5), BlockBootstrap.MAX_DRAWDOWN);
        double[] longBlocks = BlockBootstrap.sortedColumn(BlockBootstrap.resample(pnl, 100, 400, 5), BlockBootstrap.MAX_DRAWDOWN);
        assertTrue(BlockBootstrap.percentile(longBlocks, 50) > BlockBootstrap.percentile(shortBlocks, 50),
                BlockBootstrap.percentile(longBlocks, 50) + " vs " + BlockBootstrap.percentile(shortBlocks, 50));
    }

    @Test
    void percentilesInterpolateBetweenOrderStatistics() {
        double[] sorted = {1, 2, 3, 4, 5};
        assertEquals(1, BlockBootstrap.percentile(sorted, 0));
        assertEquals(3, BlockBootstrap.percentile(sorted, 50));
        assertEquals(4.6, BlockBootstrap.percentile(sorted, 90), 1e-12);
        assertEquals(5, BlockBootstrap.percentile(sorted, 100));
    }

    @Test
    void refusesWhatCannotBeResampled() {
        assertThrows(IllegalArgumentException.class, () -> BlockBootstrap.resample(new double[0], 5, 10, 1));
        assertThrows(IllegalArgumentException.class, () -> BlockBootstrap.resample(new double[3], 0.5, 10, 1));
        assertThrows(IllegalArgumentException.class, () -> BlockBootstrap.resample(new double[3], 5, 0, 1));
    }
}
