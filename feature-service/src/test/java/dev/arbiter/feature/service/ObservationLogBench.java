package dev.arbiter.feature.service;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What the write-ahead log adds to an ingest: the time of one append, without and with fsync. Not a test (prints only);
 * run after {@code mvn -B -pl feature-service -am test-compile}:
 * {@code java -cp "feature-service/target/classes:feature-service/target/test-classes" dev.arbiter.feature.service.ObservationLogBench}
 */
public final class ObservationLogBench {

    private ObservationLogBench() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Files.createTempDirectory("arbiter-log-bench-");
        for (boolean fsync : new boolean[] {false, true}) {
            try (ObservationLog log = new ObservationLog(dir.resolve(fsync ? "fsync" : "page-cache"), fsync)) {
                int n = fsync ? 2_000 : 200_000;
                for (int round = 0; round < 2; round++) { // the first round warms the JIT up
                    long start = System.nanoTime();
                    for (int i = 0; i < n; i++) {
                        log.append(new Observation("series-" + (i % 1000), (long) round * n + i + 1, 1, 2, 0.5, 1.5, 100));
                    }
                    System.out.printf("fsync=%s round %d: %.2f µs per append (%d appends)%n", fsync, round,
                            (System.nanoTime() - start) / 1e3 / n, n);
                }
            }
        }
    }
}
