package dev.arbiter.model.runtime;

import ai.onnxruntime.MapInfo;
import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxMap;
import ai.onnxruntime.OnnxSequence;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.SequenceInfo;
import ai.onnxruntime.TensorInfo;
import ai.onnxruntime.ValueInfo;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * An ONNX model in its own {@link OrtSession} (one per loaded version, on the process-wide {@link OrtEnvironment}).
 *
 * <p>The model takes one float tensor [batch, inputCount]. What it reads as the probability, from the output named in the
 * artifact (or the first output):
 * <ul>
 *   <li>a float tensor [batch, 2]: column {@code onnxPositiveClassIndex} (Tribuo's classifiers; for logistic regression
 *       the columns are softmax probabilities, for linear SVMs they are decision values, not probabilities);</li>
 *   <li>a float tensor [batch, 1] or [batch]: the value itself;</li>
 *   <li>a sequence of maps class → probability (scikit-learn's ZipMap): the value of the key at position
 *       {@code onnxPositiveClassIndex} among the sorted keys (scikit-learn sorts its classes).</li>
 * </ul>
 * Anything else is refused at load time. Values are passed through as they come: an output that is not a probability
 * is the uploader's responsibility.
 *
 * <p>A single-row prediction reuses, per thread, an input and an output tensor over direct buffers, so it allocates
 * only ONNX Runtime's small result object. Sessions run single-threaded: predictions are concurrent across requests.
 */
final class OnnxModelRuntime implements ModelRuntime {

    private enum OutputKind { CLASS_COLUMNS, SINGLE_VALUE, SEQUENCE_OF_MAPS }

    private final OrtEnvironment env;
    private final OrtSession session;
    private final OrtSession.SessionOptions options;
    private final String inputName;
    private final String outputName;
    private final Set<String> outputNames;
    private final int inputCount;
    private final boolean oneRowPerRun;
    private final OutputKind kind;
    private final long[] oneRowOutputShape;
    /** Output values per row: 2 for class columns, 1 for a single value, 0 for maps. */
    private final int outputWidth;
    private final int positiveIndex;
    private final ThreadLocal<Slot> slots = ThreadLocal.withInitial(this::newSlot);
    private final Queue<Slot> allSlots = new ConcurrentLinkedQueue<>();
    private volatile boolean closed;

    /** One thread's reusable tensors. */
    private record Slot(FloatBuffer input, FloatBuffer output, Map<String, OnnxTensor> inputs,
                        Map<String, OnnxTensor> pinnedOutputs) {
    }

    private OnnxModelRuntime(OrtEnvironment env, OrtSession session, OrtSession.SessionOptions options, String inputName,
                             String outputName, int inputCount, boolean oneRowPerRun, OutputKind kind,
                             long[] oneRowOutputShape, int positiveIndex) {
        this.env = env;
        this.session = session;
        this.options = options;
        this.inputName = inputName;
        this.outputName = outputName;
        this.outputNames = Set.of(outputName);
        this.inputCount = inputCount;
        this.oneRowPerRun = oneRowPerRun;
        this.kind = kind;
        this.oneRowOutputShape = oneRowOutputShape;
        this.outputWidth = kind == OutputKind.CLASS_COLUMNS ? 2 : kind == OutputKind.SINGLE_VALUE ? 1 : 0;
        this.positiveIndex = positiveIndex;
    }

    static OnnxModelRuntime load(ModelArtifact artifact) throws ModelLoadException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        OrtSession.SessionOptions options = new OrtSession.SessionOptions();
        OrtSession session = null;
        boolean loaded = false;
        try {
            options.setIntraOpNumThreads(1);
            options.setInterOpNumThreads(1);
            options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            try {
                session = env.createSession(artifact.bytes(), options);
            } catch (OrtException e) {
                throw new ModelLoadException("ONNX Runtime cannot read the artifact as an ONNX model: " + e.getMessage(), e);
            }
            OnnxModelRuntime runtime = inspect(env, session, options, artifact);
            loaded = true;
            return runtime;
        } catch (OrtException e) {
            throw new ModelLoadException("ONNX Runtime cannot inspect the model: " + e.getMessage(), e);
        } finally {
            if (!loaded) {
                if (session != null) {
                    closeQuietly(session);
                }
                options.close();
            }
        }
    }

    private static OnnxModelRuntime inspect(OrtEnvironment env, OrtSession session, OrtSession.SessionOptions options,
                                            ModelArtifact artifact) throws OrtException, ModelLoadException {
        int inputCount = artifact.inputFeatureNames().size();
        Map<String, NodeInfo> inputs = session.getInputInfo();
        if (inputs.size() != 1) {
            throw new ModelLoadException("the ONNX model has " + inputs.size() + " inputs " + inputs.keySet()
                    + "; Arbiter feeds exactly one float tensor [batch, features]");
        }
        NodeInfo input = inputs.values().iterator().next();
        if (!(input.getInfo() instanceof TensorInfo in) || in.type != OnnxJavaType.FLOAT) {
            throw new ModelLoadException("the ONNX input \"" + input.getName() + "\" is " + describe(input.getInfo())
                    + "; Arbiter feeds a float tensor [batch, features]: export the model with float32 inputs");
        }
        long[] inShape = in.getShape();
        if (inShape.length != 2) {
            throw new ModelLoadException("the ONNX input \"" + input.getName() + "\" has shape " + Arrays.toString(inShape)
                    + "; Arbiter feeds [batch, features]");
        }
        if (inShape[1] >= 0 && inShape[1] != inputCount) {
            throw new ModelLoadException("the ONNX model takes " + inShape[1] + " features but inputFeatureNames lists "
                    + inputCount + "; list exactly the model's features, in column order");
        }
        if (inShape[0] > 1) {
            throw new ModelLoadException("the ONNX input has a fixed batch of " + inShape[0]
                    + " rows; export it with a dynamic batch dimension (or 1)");
        }

        String wanted = artifact.onnxOutputName() == null ? "" : artifact.onnxOutputName();
        Map<String, NodeInfo> outputs = session.getOutputInfo();
        String outputName = wanted.isEmpty() ? outputs.keySet().iterator().next() : wanted;
        NodeInfo output = outputs.get(outputName);
        if (output == null) {
            throw new ModelLoadException("onnx_output_name", "onnx_output_name is \"" + wanted + "\" but the ONNX"
                    + " model has no such output; its outputs are " + outputs.keySet());
        }
        int positiveIndex = artifact.onnxPositiveClassIndex();
        String fix = "; name the probability output in onnx_output_name (outputs: " + outputs.keySet() + ")";
        OutputKind kind;
        long[] oneRowShape = null;
        ValueInfo info = output.getInfo();
        if (info instanceof TensorInfo out) {
            if (out.type != OnnxJavaType.FLOAT) {
                throw new ModelLoadException("the ONNX output \"" + outputName + "\" holds " + out.type
                        + " values, not float probabilities" + fix);
            }
            long[] shape = out.getShape();
            long width = shape.length == 1 ? 1 : shape.length == 2 ? shape[1] : -2;
            if (width == -2) {
                throw new ModelLoadException("the ONNX output \"" + outputName + "\" has shape " + Arrays.toString(shape)
                        + "; expected [batch, 2], [batch, 1] or [batch]");
            }
            if (width < 0) {
                width = probeWidth(env, session, input.getName(), outputName, inputCount);
            }
            if (width == 2) {
                kind = OutputKind.CLASS_COLUMNS;
                requirePositiveIndex(positiveIndex, outputName);
            } else if (width == 1) {
                kind = OutputKind.SINGLE_VALUE;
            } else {
                throw new ModelLoadException("the ONNX output \"" + outputName + "\" has " + width
                        + " columns; Arbiter serves binary classifiers ([batch, 2] class probabilities)");
            }
            oneRowShape = shape.length == 1 ? new long[] {1} : new long[] {1, width};
        } else if (info instanceof SequenceInfo seq && seq.isSequenceOfMaps()) {
            MapInfo map = seq.mapInfo;
            if (map.valueType != OnnxJavaType.FLOAT
                    || (map.keyType != OnnxJavaType.INT64 && map.keyType != OnnxJavaType.STRING)) {
                throw new ModelLoadException("the ONNX output \"" + outputName + "\" is a sequence of maps " + map.keyType
                        + " → " + map.valueType + "; expected class → float probability" + fix);
            }
            kind = OutputKind.SEQUENCE_OF_MAPS;
            requirePositiveIndex(positiveIndex, outputName);
        } else {
            throw new ModelLoadException("the ONNX output \"" + outputName + "\" is " + describe(info)
                    + "; expected a float tensor [batch, 2] or [batch, 1], or a sequence of maps class → probability" + fix);
        }
        return new OnnxModelRuntime(env, session, options, input.getName(), outputName, inputCount, inShape[0] == 1,
                kind, oneRowShape, positiveIndex);
    }

    /** Runs a row of zeros to learn the width of an output declared as [batch, ?]. */
    private static long probeWidth(OrtEnvironment env, OrtSession session, String inputName, String outputName,
                                   int inputCount) throws OrtException, ModelLoadException {
        try (OnnxTensor zeros = OnnxTensor.createTensor(env, FloatBuffer.allocate(inputCount), new long[] {1, inputCount});
             OrtSession.Result result = session.run(Map.of(inputName, zeros), Set.of(outputName))) {
            long[] shape = ((TensorInfo) result.get(0).getInfo()).getShape();
            if (shape.length != 2 || shape[0] != 1) {
                throw new ModelLoadException("for one row the ONNX output \"" + outputName + "\" has shape "
                        + Arrays.toString(shape) + "; expected [1, 2] or [1, 1]");
            }
            return shape[1];
        }
    }

    private static void requirePositiveIndex(int index, String outputName) throws ModelLoadException {
        if (index != 0 && index != 1) {
            throw new ModelLoadException("onnx_positive_class_index", "onnx_positive_class_index is " + index
                    + " but output \"" + outputName + "\" has two classes; use 0 or 1 (the column of the positive class)");
        }
    }

    private static String describe(ValueInfo info) {
        if (info instanceof TensorInfo t) {
            return "a " + t.type + " tensor " + Arrays.toString(t.getShape());
        }
        if (info instanceof SequenceInfo s) {
            return s.isSequenceOfMaps() ? "a sequence of maps" : "a sequence of " + s.sequenceType;
        }
        if (info instanceof MapInfo) {
            return "a map";
        }
        return String.valueOf(info);
    }

    @Override
    public int inputCount() {
        return inputCount;
    }

    @Override
    public boolean acceptsMissing() {
        return false;
    }

    @Override
    public double predict(double[] row) {
        if (row.length != inputCount) {
            throw new IllegalArgumentException("row has " + row.length + " values; this model takes " + inputCount);
        }
        return predictRow(row, 0);
    }

    private double predictRow(double[] rows, int offset) {
        checkOpen();
        Slot slot = slots.get();
        FloatBuffer input = slot.input();
        for (int i = 0; i < inputCount; i++) {
            input.put(i, (float) rows[offset + i]);
        }
        try {
            if (kind == OutputKind.SEQUENCE_OF_MAPS) {
                try (OrtSession.Result result = session.run(slot.inputs(), outputNames)) {
                    return positiveFromMaps(result.get(0), 1)[0];
                }
            }
            // the result only wraps the pinned output tensor, whose buffer ONNX Runtime has just written
            session.run(slot.inputs(), slot.pinnedOutputs()).close();
            return slot.output().get(kind == OutputKind.CLASS_COLUMNS ? positiveIndex : 0);
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime failed to predict: " + e.getMessage(), e);
        }
    }

    @Override
    public void predictBatch(double[] rows, int n, double[] out) {
        RowChecks.checkBatch(rows, n, out, inputCount);
        if (n == 0) {
            return;
        }
        if (oneRowPerRun) {
            for (int i = 0; i < n; i++) {
                out[i] = predictRow(rows, i * inputCount);
            }
            return;
        }
        checkOpen();
        float[] values = new float[n * inputCount];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) rows[i];
        }
        try (OnnxTensor tensor = OnnxTensor.createTensor(env, FloatBuffer.wrap(values), new long[] {n, inputCount});
             OrtSession.Result result = session.run(Map.of(inputName, tensor), outputNames)) {
            if (kind == OutputKind.SEQUENCE_OF_MAPS) {
                System.arraycopy(positiveFromMaps(result.get(0), n), 0, out, 0, n);
                return;
            }
            FloatBuffer predictions = ((OnnxTensor) result.get(0)).getFloatBuffer();
            if (predictions.remaining() != (long) n * outputWidth) {
                throw new IllegalStateException("the ONNX output \"" + outputName + "\" has " + predictions.remaining()
                        + " values for " + n + " rows; expected " + (long) n * outputWidth);
            }
            int column = kind == OutputKind.CLASS_COLUMNS ? positiveIndex : 0;
            for (int i = 0; i < n; i++) {
                out[i] = predictions.get(i * outputWidth + column);
            }
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime failed to predict: " + e.getMessage(), e);
        }
    }

    private double[] positiveFromMaps(OnnxValue value, int n) throws OrtException {
        List<? extends OnnxValue> maps = ((OnnxSequence) value).getValue();
        if (maps.size() != n) {
            throw new IllegalStateException("the ONNX output \"" + outputName + "\" has " + maps.size() + " maps for " + n
                    + " rows");
        }
        double[] positive = new double[n];
        for (int i = 0; i < n; i++) {
            Map<?, ?> probabilities = ((OnnxMap) maps.get(i)).getValue();
            if (probabilities.size() != 2) {
                throw new IllegalStateException("the ONNX output \"" + outputName + "\" maps " + probabilities.size()
                        + " classes; a binary classifier has 2");
            }
            List<Object> classes = new ArrayList<>(probabilities.keySet());
            classes.sort(null);
            positive[i] = ((Number) probabilities.get(classes.get(positiveIndex))).doubleValue();
        }
        return positive;
    }

    private Slot newSlot() {
        try {
            FloatBuffer input = directFloats(inputCount);
            OnnxTensor inputTensor = OnnxTensor.createTensor(env, input, new long[] {1, inputCount});
            if (kind == OutputKind.SEQUENCE_OF_MAPS) {
                Slot slot = new Slot(input, null, Map.of(inputName, inputTensor), Map.of());
                allSlots.add(slot);
                return slot;
            }
            FloatBuffer output = directFloats(outputWidth);
            OnnxTensor outputTensor = OnnxTensor.createTensor(env, output, oneRowOutputShape);
            Slot slot = new Slot(input, output, Map.of(inputName, inputTensor), Map.of(outputName, outputTensor));
            allSlots.add(slot);
            return slot;
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime cannot allocate tensors: " + e.getMessage(), e);
        }
    }

    /** A direct buffer is shared with ONNX Runtime, not copied, so writing it changes the tensor. */
    private static FloatBuffer directFloats(int count) {
        return ByteBuffer.allocateDirect(count * Float.BYTES).order(ByteOrder.nativeOrder()).asFloatBuffer();
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("this model runtime is closed");
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (Slot slot : allSlots) {
            slot.inputs().values().forEach(OnnxTensor::close);
            slot.pinnedOutputs().values().forEach(OnnxTensor::close);
        }
        allSlots.clear();
        closeQuietly(session);
        options.close();
    }

    private static void closeQuietly(OrtSession session) {
        try {
            session.close();
        } catch (OrtException e) {
            // nothing to recover: the session's memory is released either way
        }
    }
}
