package dev.arbiter.feature.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ObservationLogTest {

    static Observation obs(String id, long ts) {
        return new Observation(id, ts, Double.NaN, 10 + ts, 9 - ts * 1e-3, 9.5 + ts * 0.25, ts == 3 ? Double.NaN : 100 * ts);
    }

    @Test
    void whatWasAppendedIsReplayedInOrderByTheNextLogOverTheSameDirectory(@TempDir Path dir) throws IOException {
        List<Observation> written = new ArrayList<>();
        try (ObservationLog log = new ObservationLog(dir, false)) {
            for (long ts = 1; ts <= 5; ts++) {
                Observation o = obs(ts % 2 == 0 ? "b" : "série-α", ts);
                log.append(o);
                written.add(o);
            }
            assertEquals(2, log.rotate(), "a segment with appends rotates");
            assertEquals(2, log.rotate(), "an empty one does not");
            Observation o = obs("b", 6);
            log.append(o);
            written.add(o);
        } // a crash: nothing flushed or deleted
        List<Observation> replayed = new ArrayList<>();
        try (ObservationLog next = new ObservationLog(dir, false)) {
            assertEquals(3, next.segment(), "the next process appends after every existing segment");
            assertEquals(6, next.replay(replayed::add));
        }
        assertEquals(written.size(), replayed.size());
        for (int i = 0; i < written.size(); i++) {
            Observation w = written.get(i);
            Observation r = replayed.get(i);
            assertEquals(w.seriesId(), r.seriesId());
            assertEquals(w.tsMicros(), r.tsMicros());
            assertTrue(w.sameValues(r.open(), r.high(), r.low(), r.close(), r.volume()), "record " + i);
        }
    }

    @Test
    void aRecordCutShortOrCorruptedEndsItsSegmentsReplay(@TempDir Path dir) throws IOException {
        try (ObservationLog log = new ObservationLog(dir, true)) {
            log.append(obs("a", 1));
            log.append(obs("a", 2));
            log.rotate();
            log.append(obs("a", 3));
            log.append(obs("a", 4));
        }
        Path first = dir.resolve("1.log");
        Path second = dir.resolve("2.log");
        try (FileChannel c = FileChannel.open(first, StandardOpenOption.WRITE)) {
            c.truncate(Files.size(first) - 3); // the second record torn by the crash
        }
        byte[] bytes = Files.readAllBytes(second);
        bytes[bytes.length - 1] ^= 1; // the last record's series id flipped: its CRC fails
        Files.write(second, bytes);
        List<Long> replayed = new ArrayList<>();
        try (ObservationLog next = new ObservationLog(dir, false)) {
            next.replay(o -> replayed.add(o.tsMicros()));
        }
        assertEquals(List.of(1L, 3L), replayed);
    }

    @Test
    void segmentsBeforeACoveredOneAreDeleted(@TempDir Path dir) throws IOException {
        try (ObservationLog log = new ObservationLog(dir, false)) {
            log.append(obs("a", 1));
            long second = log.rotate();
            log.append(obs("a", 2));
            long third = log.rotate();
            log.deleteBefore(second);
            assertEquals(List.of(dir.resolve("2.log"), dir.resolve("3.log")), log.files());
            log.deleteBefore(third);
            assertEquals(List.of(dir.resolve("3.log")), log.files());
        }
    }
}
