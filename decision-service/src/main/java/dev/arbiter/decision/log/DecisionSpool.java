package dev.arbiter.decision.log;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;
import org.jboss.logging.Logger;

/**
 * The local spool that takes logged decisions while PostgreSQL is unreachable: one append-only file of records
 * {@code [int length][int CRC32C][length bytes]}, fsynced per batch before the batch is acknowledged. A record
 * cut short or corrupted by a crash is the tail of a write that was never fsynced, hence never acknowledged: it is
 * cut off when the spool is opened. The directory is locked, so two processes never share a spool. Not
 * thread-safe: only the decision log's writer thread uses it.
 */
final class DecisionSpool implements Closeable {

    private static final Logger LOG = Logger.getLogger(DecisionSpool.class);
    private static final int HEADER = 8;
    /** Larger than any Decision can be (the gRPC inbound limit is 1 MiB); a length above it is corruption. */
    private static final int MAX_RECORD = 16 * 1024 * 1024;

    /** One record read back, and where the next one starts. */
    record Record(byte[] bytes, long next) {}

    private final Path file;
    private final FileChannel channel;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private long size;

    DecisionSpool(Path dir) throws IOException {
        Files.createDirectories(dir);
        Path lockFile = dir.resolve("spool.lock");
        lockChannel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock l;
        try {
            l = lockChannel.tryLock();
        } catch (OverlappingFileLockException e) {
            l = null;
        }
        if (l == null) {
            lockChannel.close();
            throw new IOException("the decision spool directory " + dir.toAbsolutePath() + " is in use by another process;"
                    + " give every replica its own arbiter.decision.log.spool-dir");
        }
        lock = l;
        file = dir.resolve("decisions.spool");
        boolean created = !Files.exists(file);
        channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        if (created) {
            forceDirectory(dir);
        }
        size = validLength();
        if (size < channel.size()) {
            LOG.warnf("decision spool %s ends with %d bytes of an interrupted write (never acknowledged); cut off",
                    file, channel.size() - size);
            channel.truncate(size);
            channel.force(true);
        }
    }

    private static void forceDirectory(Path dir) {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException e) {
            // Some file systems cannot sync a directory; the file's own fsync still covers its data.
        }
    }

    /** Bytes of whole, intact records from the start. */
    private long validLength() throws IOException {
        long offset = 0;
        while (true) {
            Record r = readAt(offset);
            if (r == null) {
                return offset;
            }
            offset = r.next();
        }
    }

    /** The record at {@code offset}, or null at the end or at a cut-short / corrupt record. */
    private Record readAt(long offset) throws IOException {
        long end = channel.size();
        if (offset + HEADER > end) {
            return null;
        }
        ByteBuffer header = ByteBuffer.allocate(HEADER);
        readFully(header, offset);
        header.flip();
        int length = header.getInt();
        int crc = header.getInt();
        if (length < 0 || length > MAX_RECORD || offset + HEADER + length > end) {
            return null;
        }
        ByteBuffer body = ByteBuffer.allocate(length);
        readFully(body, offset + HEADER);
        byte[] bytes = body.array();
        CRC32C c = new CRC32C();
        c.update(bytes);
        if ((int) c.getValue() != crc) {
            return null;
        }
        return new Record(bytes, offset + HEADER + length);
    }

    private void readFully(ByteBuffer b, long position) throws IOException {
        while (b.hasRemaining()) {
            if (channel.read(b, position + b.position()) < 0) {
                throw new IOException("unexpected end of " + file);
            }
        }
    }

    /** Appends the records and fsyncs: when this returns, they survive a crash of the process or the machine. */
    void append(List<byte[]> records) throws IOException {
        int total = 0;
        for (byte[] r : records) {
            total += HEADER + r.length;
        }
        ByteBuffer b = ByteBuffer.allocate(total);
        CRC32C c = new CRC32C();
        for (byte[] r : records) {
            c.reset();
            c.update(r);
            b.putInt(r.length).putInt((int) c.getValue()).put(r);
        }
        b.flip();
        long position = size;
        while (b.hasRemaining()) {
            position += channel.write(b, position);
        }
        channel.force(false);
        size = position;
    }

    /** Up to {@code max} records from {@code offset}. */
    List<Record> read(long offset, int max) throws IOException {
        List<Record> out = new ArrayList<>();
        long at = offset;
        while (out.size() < max && at < size) {
            Record r = readAt(at);
            if (r == null) {
                break;
            }
            out.add(r);
            at = r.next();
        }
        return out;
    }

    /** Bytes of records in the spool. */
    long size() {
        return size;
    }

    boolean isEmpty() {
        return size == 0;
    }

    /** Empties the spool once everything in it is in PostgreSQL. */
    void truncate() throws IOException {
        channel.truncate(0);
        channel.force(true);
        size = 0;
    }

    @Override
    public void close() throws IOException {
        channel.close();
        lock.release();
        lockChannel.close();
    }
}
