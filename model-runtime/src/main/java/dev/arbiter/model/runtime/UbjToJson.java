package dev.arbiter.model.runtime;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Reads an XGBoost UBJ artifact (Universal Binary JSON, big-endian) strictly in Java and writes the same document as
 * JSON text, which is what XGBoost is then given. XGBoost's own UBJ reader trusts the lengths it reads: a key or string
 * length past the end of the buffer crashed the whole JVM (SIGSEGV in XGBoosterLoadModelFromBuffer, found by fuzzing
 * {@code ModelArtifactFuzzTest}). Here every length and count is checked against the bytes that remain before
 * anything is allocated for it, nesting is bounded, strings must be UTF-8 and numbers finite; a typed container may
 * hold only numbers (the types XGBoost writes), so no count of zero-byte elements can ask for unbounded output.
 * Streaming: the output is the JSON text and nothing else (no tree of the document).
 */
final class UbjToJson {

    /** Deeper than any XGBoost model (learner / gradient_booster / model / trees / tree / arrays). */
    static final int MAX_DEPTH = 64;
    private static final JsonFactory JSON = new JsonFactory();

    private final ByteBuffer in;
    private final JsonGenerator out;

    private UbjToJson(byte[] ubj, JsonGenerator out) {
        this.in = ByteBuffer.wrap(ubj); // big-endian, as UBJ
        this.out = out;
    }

    /** The JSON text of {@code ubj}; refused with where and why when it is not a well-formed UBJ object. */
    static byte[] convert(byte[] ubj) throws ModelLoadException {
        ByteArrayOutputStream json = new ByteArrayOutputStream(ubj.length * 2);
        try (JsonGenerator g = JSON.createGenerator(json)) {
            UbjToJson reader = new UbjToJson(ubj, g);
            byte marker = reader.marker();
            if (marker != '{') {
                throw reader.corrupt("the document is not an object");
            }
            reader.object(1);
            if (reader.in.hasRemaining()) {
                throw reader.corrupt(reader.in.remaining() + " bytes follow the document");
            }
        } catch (IOException e) {
            throw new IllegalStateException("writing JSON to memory failed", e);
        }
        return json.toByteArray();
    }

    private ModelLoadException corrupt(String why) {
        return new ModelLoadException("the XGBoost UBJ artifact is corrupt or truncated at byte " + in.position() + ": " + why);
    }

    private void need(long bytes, String what) throws ModelLoadException {
        if (bytes > in.remaining()) {
            throw corrupt(what + " needs " + bytes + " bytes but " + in.remaining() + " remain");
        }
    }

    /** The next marker, skipping no-ops. */
    private byte marker() throws ModelLoadException {
        while (true) {
            need(1, "a marker");
            byte m = in.get();
            if (m != 'N') {
                return m;
            }
        }
    }

    private void value(byte marker, int depth) throws ModelLoadException, IOException {
        switch (marker) {
            case 'Z' -> out.writeNull();
            case 'T' -> out.writeBoolean(true);
            case 'F' -> out.writeBoolean(false);
            case 'S' -> out.writeString(string());
            case 'C' -> {
                need(1, "a char");
                byte c = in.get();
                if (c < 0) {
                    throw corrupt("a char is not ASCII");
                }
                out.writeString(String.valueOf((char) c));
            }
            case '{' -> object(depth + 1);
            case '[' -> array(depth + 1);
            case 'i', 'U', 'I', 'l', 'L', 'd', 'D' -> number(marker);
            default -> throw corrupt("unexpected marker " + describe(marker));
        }
    }

    private void number(byte type) throws ModelLoadException, IOException {
        switch (type) {
            case 'i' -> { need(1, "an int8"); out.writeNumber(in.get()); }
            case 'U' -> { need(1, "a uint8"); out.writeNumber(in.get() & 0xff); }
            case 'I' -> { need(2, "an int16"); out.writeNumber(in.getShort()); }
            case 'l' -> { need(4, "an int32"); out.writeNumber(in.getInt()); }
            case 'L' -> { need(8, "an int64"); out.writeNumber(in.getLong()); }
            case 'd' -> { need(4, "a float32"); out.writeNumber(finite(in.getFloat())); }
            case 'D' -> { need(8, "a float64"); out.writeNumber(finite(in.getDouble())); }
            default -> throw corrupt("a typed container of " + describe(type) + "; XGBoost writes typed containers of numbers only");
        }
    }

    private float finite(float f) throws ModelLoadException {
        if (!Float.isFinite(f)) {
            throw corrupt("a number is " + f);
        }
        return f;
    }

    private double finite(double d) throws ModelLoadException {
        if (!Double.isFinite(d)) {
            throw corrupt("a number is " + d);
        }
        return d;
    }

    private static int size(byte type) {
        return switch (type) {
            case 'i', 'U' -> 1;
            case 'I' -> 2;
            case 'l', 'd' -> 4;
            case 'L', 'D' -> 8;
            default -> 0;
        };
    }

    /** A length or count: an integer of any UBJ integer type, not negative. */
    private long length(String what) throws ModelLoadException {
        byte type = marker();
        long n = switch (type) {
            case 'i' -> { need(1, what); yield in.get(); }
            case 'U' -> { need(1, what); yield in.get() & 0xff; }
            case 'I' -> { need(2, what); yield in.getShort(); }
            case 'l' -> { need(4, what); yield in.getInt(); }
            case 'L' -> { need(8, what); yield in.getLong(); }
            default -> throw corrupt(what + " is not an integer (marker " + describe(type) + ")");
        };
        if (n < 0) {
            throw corrupt(what + " is negative (" + n + ")");
        }
        return n;
    }

    private String string() throws ModelLoadException {
        long n = length("a string's length");
        need(n, "a string");
        ByteBuffer bytes = in.slice(in.position(), (int) n);
        in.position(in.position() + (int) n);
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(bytes).toString();
        } catch (CharacterCodingException e) {
            throw corrupt("a string is not UTF-8");
        }
    }

    /** After '[' or '{': the optional type and count. Returns {type or 0, count or -1}. */
    private long[] header(int depth, long smallestElement) throws ModelLoadException {
        if (depth > MAX_DEPTH) {
            throw corrupt("nested deeper than " + MAX_DEPTH);
        }
        need(1, "a container");
        byte type = 0;
        if (in.get(in.position()) == '$') {
            in.get();
            need(1, "a container's type");
            type = in.get();
            if (size(type) == 0) {
                throw corrupt("a typed container of " + describe(type) + "; XGBoost writes typed containers of numbers only");
            }
            need(1, "a container's count");
            if (in.get(in.position()) != '#') {
                throw corrupt("a typed container without a count");
            }
        }
        long count = -1;
        if (in.get(in.position()) == '#') {
            in.get();
            count = length("a container's count");
            // every element takes at least this many bytes: a count the buffer cannot hold is refused before it is used
            long each = type != 0 ? size(type) : smallestElement;
            if (count > in.remaining() / each) {
                throw corrupt("a container counts " + count + " elements but " + in.remaining() + " bytes remain");
            }
        }
        return new long[] {type, count};
    }

    private void array(int depth) throws ModelLoadException, IOException {
        long[] h = header(depth, 1);
        byte type = (byte) h[0];
        long count = h[1];
        out.writeStartArray();
        if (count >= 0) {
            for (long i = 0; i < count; i++) {
                if (type != 0) {
                    number(type);
                } else {
                    value(marker(), depth);
                }
            }
        } else {
            while (true) {
                byte m = marker();
                if (m == ']') {
                    break;
                }
                value(m, depth);
            }
        }
        out.writeEndArray();
    }

    private void object(int depth) throws ModelLoadException, IOException {
        long[] h = header(depth, 2); // a key (its length's marker and value) and a value
        byte type = (byte) h[0];
        long count = h[1];
        out.writeStartObject();
        for (long i = 0; count < 0 || i < count; i++) {
            if (count < 0) {
                need(1, "a key or the end of an object");
                if (in.get(in.position()) == '}') {
                    in.get();
                    break;
                }
            }
            out.writeFieldName(string());
            if (type != 0) {
                number(type);
            } else {
                value(marker(), depth);
            }
        }
        out.writeEndObject();
    }

    private static String describe(byte marker) {
        return marker >= 0x20 && marker < 0x7f ? "'" + (char) marker + "'" : String.format("0x%02x", marker & 0xff);
    }
}
