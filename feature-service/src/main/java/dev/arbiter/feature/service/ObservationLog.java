package dev.arbiter.feature.service;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

/**
 * The write-ahead log of accepted observations: each is appended to a local segment file before its series' state
 * changes and before it is acknowledged, so that a process killed between two snapshots (kill -9, an OOM kill) loses
 * nothing it acknowledged: at start the observations newer than each series' snapshot are replayed. The file is
 * written with one {@code write} per observation (in the operating system's page cache: it outlives the process; with
 * {@code fsync} it is forced to the device too and outlives the machine).
 *
 * <p>Segments {@code <number>.log} rotate at every snapshot flush; once a flush whose series were drained after the
 * rotation is in Redis, the earlier segments are covered and deleted. A record: length (int), CRC32C of the rest
 * (int), ts_micros, open, high, low, close, volume, the series id in UTF-8. A record cut short by the crash (it was
 * never acknowledged) ends the replay of its segment.
 */
public final class ObservationLog implements AutoCloseable {

    private static final int FIXED = 8 + 5 * 8;

    private final Path dir;
    private final boolean fsync;
    private FileChannel current;
    private long segment;
    private boolean written;
    private final ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
    private final String id;

    /** Opens the log in {@code dir} (created if absent); appends go to a new segment after every existing one. */
    public ObservationLog(Path dir, boolean fsync) {
        this.dir = dir;
        this.fsync = fsync;
        try {
            Files.createDirectories(dir);
            Path idFile = dir.resolve("log-id");
            if (!Files.exists(idFile)) {
                Files.writeString(idFile, java.util.UUID.randomUUID().toString());
            }
            id = Files.readString(idFile).strip();
            segment = segments().isEmpty() ? 1 : segments().lastKey() + 1;
            current = open(segment);
        } catch (IOException e) {
            throw new UncheckedIOException("the observation log in " + dir + " cannot be opened", e);
        }
    }

    /** Appends one accepted observation; when it throws, the observation must not be acknowledged. */
    public synchronized void append(Observation o) throws IOException {
        byte[] id = o.seriesId().getBytes(StandardCharsets.UTF_8);
        int length = FIXED + id.length;
        buffer.clear();
        buffer.putInt(length);
        buffer.putInt(0); // the CRC, filled in below
        buffer.putLong(o.tsMicros()).putDouble(o.open()).putDouble(o.high()).putDouble(o.low()).putDouble(o.close())
                .putDouble(o.volume()).put(id);
        CRC32C crc = new CRC32C();
        crc.update(buffer.array(), 8, length);
        buffer.putInt(4, (int) crc.getValue());
        buffer.flip();
        while (buffer.hasRemaining()) {
            current.write(buffer);
        }
        if (fsync) {
            current.force(false);
        }
        written = true;
    }

    /** Starts a new segment (unless the current one is still empty); answers its number. Appends after this call go to it. */
    public synchronized long rotate() {
        if (!written) {
            return segment;
        }
        try {
            FileChannel next = open(segment + 1);
            current.close();
            current = next;
            segment++;
            written = false;
            return segment;
        } catch (IOException e) {
            throw new UncheckedIOException("the observation log in " + dir + " cannot start a segment", e);
        }
    }

    /** Deletes the segments numbered below {@code segment}: a snapshot in Redis covers them. */
    public void deleteBefore(long segment) {
        try {
            for (var e : segments().headMap(segment).entrySet()) {
                Files.deleteIfExists(e.getValue());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("the observation log in " + dir + " cannot delete old segments", e);
        }
    }

    /**
     * Reads every record of the segments before the current one, oldest first; a record cut short or failing its CRC
     * ends its segment's replay.
     *
     * @return how many records were read
     */
    public int replay(Consumer<Observation> to) {
        int count = 0;
        try {
            for (var e : segments().headMap(segment).entrySet()) {
                count += replay(e.getValue(), to);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("the observation log in " + dir + " cannot be read", e);
        }
        return count;
    }

    private static int replay(Path file, Consumer<Observation> to) throws IOException {
        ByteBuffer in = ByteBuffer.wrap(Files.readAllBytes(file));
        int count = 0;
        while (in.remaining() >= 8) {
            int length = in.getInt();
            int crc = in.getInt();
            if (length < FIXED || length > in.remaining()) {
                break;
            }
            CRC32C check = new CRC32C();
            check.update(in.array(), in.position(), length);
            if ((int) check.getValue() != crc) {
                break;
            }
            long ts = in.getLong();
            double open = in.getDouble();
            double high = in.getDouble();
            double low = in.getDouble();
            double close = in.getDouble();
            double volume = in.getDouble();
            byte[] id = new byte[length - FIXED];
            in.get(id);
            to.accept(new Observation(new String(id, StandardCharsets.UTF_8), ts, open, high, low, close, volume));
            count++;
        }
        return count;
    }

    /** The segment files by number. */
    TreeMap<Long, Path> segments() throws IOException {
        TreeMap<Long, Path> out = new TreeMap<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                String name = p.getFileName().toString();
                if (name.endsWith(".log")) {
                    try {
                        out.put(Long.parseLong(name.substring(0, name.length() - 4)), p);
                    } catch (NumberFormatException ignored) {
                        // not a segment
                    }
                }
            }
        }
        return out;
    }

    private FileChannel open(long number) throws IOException {
        return FileChannel.open(dir.resolve(number + ".log"), StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND);
    }

    /**
     * This log's identity (a random id kept in the directory): a process that finds the same id finds the segments
     * the previous one wrote.
     */
    public String id() {
        return id;
    }

    /** The current segment's number. */
    public synchronized long segment() {
        return segment;
    }

    @Override
    public synchronized void close() {
        try {
            current.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The segment files now, for tests. */
    List<Path> files() throws IOException {
        return new ArrayList<>(segments().values());
    }
}
