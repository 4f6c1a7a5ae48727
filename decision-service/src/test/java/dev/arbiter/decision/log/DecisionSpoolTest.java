package dev.arbiter.decision.log;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The spool file on its own: records survive reopening, a torn tail is cut off, a directory has one owner. */
class DecisionSpoolTest {

    @TempDir
    Path dir;

    static byte[] bytes(int n, int seed) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (seed * 31 + i);
        }
        return b;
    }

    @Test
    void recordsSurviveReopeningAndReadBackInOrder() throws IOException {
        try (DecisionSpool s = new DecisionSpool(dir)) {
            s.append(List.of(bytes(10, 1), bytes(0, 2)));
            s.append(List.of(bytes(300, 3)));
        }
        try (DecisionSpool s = new DecisionSpool(dir)) {
            List<DecisionSpool.Record> r = s.read(0, 10);
            assertEquals(3, r.size());
            assertArrayEquals(bytes(10, 1), r.get(0).bytes());
            assertArrayEquals(bytes(0, 2), r.get(1).bytes());
            assertArrayEquals(bytes(300, 3), r.get(2).bytes());
            assertEquals(s.size(), r.get(2).next());
            assertEquals(1, s.read(r.get(1).next(), 10).size());
            s.truncate();
            assertTrue(s.isEmpty());
        }
        try (DecisionSpool s = new DecisionSpool(dir)) {
            assertTrue(s.read(0, 10).isEmpty());
        }
    }

    @Test
    void aTornOrCorruptTailIsCutOffWhenOpened() throws IOException {
        try (DecisionSpool s = new DecisionSpool(dir)) {
            s.append(List.of(bytes(20, 1), bytes(20, 2)));
        }
        Path file = dir.resolve("decisions.spool");
        long whole = Files.size(file);
        // A crash in the middle of a write: a header announcing 100 bytes, and only 5 of them.
        try (FileChannel c = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
            c.write(ByteBuffer.allocate(13).putInt(100).putInt(0).put(new byte[5]).flip());
        }
        try (DecisionSpool s = new DecisionSpool(dir)) {
            assertEquals(2, s.read(0, 10).size());
            assertEquals(whole, Files.size(file), "the torn record is cut off");
        }
        // A flipped bit in the last record: its checksum fails, so it and what follows are cut off.
        try (FileChannel c = FileChannel.open(file, StandardOpenOption.WRITE)) {
            c.write(ByteBuffer.wrap(new byte[] {42}), whole - 3);
        }
        try (DecisionSpool s = new DecisionSpool(dir)) {
            assertEquals(1, s.read(0, 10).size());
        }
    }

    @Test
    void aSecondOwnerOfTheDirectoryIsRefused() throws IOException {
        try (DecisionSpool s = new DecisionSpool(dir)) {
            IOException e = assertThrows(IOException.class, () -> new DecisionSpool(dir));
            assertTrue(e.getMessage().contains("spool-dir"), e.getMessage());
        }
    }
}
