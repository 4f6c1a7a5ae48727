package dev.arbiter.optimizer.training;

import ai.onnx.proto.OnnxMl;

/**
 * Writes a linear model with its calibration as an ONNX graph whose single output is the positive-class probability,
 * as model-service requires ({@code MODEL_OUTPUT_POSITIVE_CLASS_PROBABILITY}, a float tensor [batch, 1}):
 * <pre>
 *   features [batch, cols] ─Gemm(weights, bias)─▶ score [batch, 1] ─Sigmoid─▶ probability      (sigmoid calibration)
 *   score ─GreaterOrEqual(thresholds [1, K])─▶ Cast(float) ─MatMul(increments [K, 1])─▶ Add(floor) ─▶ probability
 *                                                                                                  (isotonic steps)
 * </pre>
 * A sigmoid calibration {@code a·s + b} is folded into the weights before they get here. Opset 13, built with the
 * ONNX protobuf classes Tribuo ships.
 */
final class OnnxLinearGraph {

    static final String INPUT = "features";
    static final String OUTPUT = "probability";
    private static final int OPSET = 13;
    private static final int IR_VERSION = 7;

    private OnnxLinearGraph() {
    }

    /** {@code sigmoid(w·x + b)}. */
    static byte[] logistic(double[] w, double b) {
        OnnxMl.GraphProto.Builder g = graph(w, b);
        g.addNode(node("Sigmoid", "sigmoid", new String[] {"score"}, OUTPUT));
        return model(g);
    }

    /** The isotonic step function of {@code w·x + b}. */
    static byte[] isotonic(double[] w, double b, ScoreCalibration.Isotonic steps) {
        OnnxMl.GraphProto.Builder g = graph(w, b);
        double[] t = steps.thresholds();
        double[] v = steps.values();
        int k = Math.max(1, t.length - 1);
        float[] thresholds = new float[k];
        float[] increments = new float[k];
        if (t.length == 1) {
            thresholds[0] = Float.POSITIVE_INFINITY; // one step: the constant floor
        }
        for (int i = 1; i < t.length; i++) {
            thresholds[i - 1] = (float) t[i];
            increments[i - 1] = (float) (v[i] - v[i - 1]);
        }
        g.addInitializer(tensor("thresholds", thresholds, 1, k));
        g.addInitializer(tensor("increments", increments, k, 1));
        g.addInitializer(tensor("floor", new float[] {(float) v[0]}, 1));
        g.addNode(node("GreaterOrEqual", "above", new String[] {"score", "thresholds"}, "above"));
        g.addNode(node("Cast", "steps", new String[] {"above"}, "steps").addAttribute(OnnxMl.AttributeProto.newBuilder()
                .setName("to").setType(OnnxMl.AttributeProto.AttributeType.INT).setI(OnnxMl.TensorProto.DataType.FLOAT_VALUE)));
        g.addNode(node("MatMul", "lift", new String[] {"steps", "increments"}, "lift"));
        g.addNode(node("Add", "probability", new String[] {"lift", "floor"}, OUTPUT));
        return model(g);
    }

    private static OnnxMl.GraphProto.Builder graph(double[] w, double b) {
        int cols = w.length;
        float[] weights = new float[cols];
        for (int j = 0; j < cols; j++) {
            weights[j] = (float) w[j];
        }
        OnnxMl.GraphProto.Builder g = OnnxMl.GraphProto.newBuilder().setName("arbiter-linear");
        g.addInput(value(INPUT, dim("batch"), fixed(cols)));
        g.addOutput(value(OUTPUT, dim("batch"), fixed(1)));
        g.addInitializer(tensor("weights", weights, cols, 1));
        g.addInitializer(tensor("bias", new float[] {(float) b}, 1));
        g.addNode(node("Gemm", "score", new String[] {INPUT, "weights", "bias"}, "score"));
        return g;
    }

    private static byte[] model(OnnxMl.GraphProto.Builder graph) {
        return OnnxMl.ModelProto.newBuilder()
                .setIrVersion(IR_VERSION)
                .setProducerName("arbiter-optimizer")
                .setDomain("dev.arbiter")
                .setModelVersion(1)
                .addOpsetImport(OnnxMl.OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET))
                .setGraph(graph)
                .build()
                .toByteArray();
    }

    private static OnnxMl.NodeProto.Builder node(String op, String name, String[] inputs, String output) {
        OnnxMl.NodeProto.Builder n = OnnxMl.NodeProto.newBuilder().setOpType(op).setName(name).addOutput(output);
        for (String in : inputs) {
            n.addInput(in);
        }
        return n;
    }

    private static OnnxMl.TensorProto tensor(String name, float[] values, long... dims) {
        OnnxMl.TensorProto.Builder t = OnnxMl.TensorProto.newBuilder().setName(name)
                .setDataType(OnnxMl.TensorProto.DataType.FLOAT_VALUE);
        for (long d : dims) {
            t.addDims(d);
        }
        for (float v : values) {
            t.addFloatData(v);
        }
        return t.build();
    }

    private static OnnxMl.ValueInfoProto value(String name, OnnxMl.TensorShapeProto.Dimension... dims) {
        OnnxMl.TensorShapeProto.Builder shape = OnnxMl.TensorShapeProto.newBuilder();
        for (OnnxMl.TensorShapeProto.Dimension d : dims) {
            shape.addDim(d);
        }
        return OnnxMl.ValueInfoProto.newBuilder().setName(name)
                .setType(OnnxMl.TypeProto.newBuilder().setTensorType(OnnxMl.TypeProto.Tensor.newBuilder()
                        .setElemType(OnnxMl.TensorProto.DataType.FLOAT_VALUE).setShape(shape)))
                .build();
    }

    private static OnnxMl.TensorShapeProto.Dimension dim(String param) {
        return OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimParam(param).build();
    }

    private static OnnxMl.TensorShapeProto.Dimension fixed(long size) {
        return OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimValue(size).build();
    }
}
