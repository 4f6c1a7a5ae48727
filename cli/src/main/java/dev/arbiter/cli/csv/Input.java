package dev.arbiter.cli.csv;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** A file named on the command line, or standard input for "-", counting the bytes read (for progress). */
public final class Input extends FilterInputStream {

    /** Size in bytes when it is a regular file, else -1. */
    public final long size;
    /** The name for messages: the path, or "standard input". */
    public final String name;
    private long read;

    private Input(InputStream in, long size, String name) {
        super(in);
        this.size = size;
        this.name = name;
    }

    /**
     * Opens {@code file}; "-" or null is {@code stdin}.
     *
     * @throws NoSuchFileException when there is no such file (the CLI maps it to a usage error)
     */
    public static Input open(String file, InputStream stdin) throws IOException {
        if (file == null || file.equals("-")) {
            return new Input(stdin, -1, "standard input");
        }
        Path p = Path.of(file);
        if (Files.isDirectory(p)) {
            throw new NoSuchFileException(file + " (it is a folder)");
        }
        return new Input(Files.newInputStream(p), Files.size(p), file);
    }

    /** Bytes already in memory (e.g. a CSV the CLI wrote itself), named {@code name} in messages. */
    public static Input of(byte[] bytes, String name) {
        return new Input(new java.io.ByteArrayInputStream(bytes), bytes.length, name);
    }

    /** Bytes read so far. */
    public long bytesRead() {
        return read;
    }

    /** Fraction read, or NaN when the size is unknown. */
    public double fraction() {
        return size > 0 ? (double) read / size : size == 0 ? 1 : Double.NaN;
    }

    @Override
    public int read() throws IOException {
        int b = super.read();
        if (b >= 0) {
            read++;
        }
        return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        int n = super.read(b, off, len);
        if (n > 0) {
            read += n;
        }
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        long s = super.skip(n);
        read += s;
        return s;
    }
}
