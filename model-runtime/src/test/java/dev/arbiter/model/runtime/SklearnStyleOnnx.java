package dev.arbiter.model.runtime;

import ai.onnx.proto.OnnxMl;
import com.google.protobuf.ByteString;

import java.nio.charset.StandardCharsets;

/**
 * Builds by hand the graph skl2onnx writes for a binary LogisticRegression: LinearClassifier → ZipMap, with outputs
 * "label" (int64 [n]) and "probabilities" (sequence of maps class → probability). No Python needed.
 */
public final class SklearnStyleOnnx {

    private static final String ML = "ai.onnx.ml";

    private SklearnStyleOnnx() {
    }

    /** P(class 1) = sigmoid(w·x + b). */
    public static byte[] logisticRegression(float[] w, float b) {
        int k = w.length;
        OnnxMl.AttributeProto.Builder coefficients = floats("coefficients");
        for (float v : w) {
            coefficients.addFloats(-v); // class 0
        }
        for (float v : w) {
            coefficients.addFloats(v); // class 1
        }
        OnnxMl.NodeProto classifier = OnnxMl.NodeProto.newBuilder().setOpType("LinearClassifier").setDomain(ML)
                .setName("linear").addInput("x").addOutput("label").addOutput("scores")
                .addAttribute(ints("classlabels_ints", 0, 1))
                .addAttribute(coefficients)
                .addAttribute(floats("intercepts").addFloats(-b).addFloats(b))
                .addAttribute(string("post_transform", "LOGISTIC"))
                .build();
        OnnxMl.NodeProto zipMap = OnnxMl.NodeProto.newBuilder().setOpType("ZipMap").setDomain(ML).setName("zipmap")
                .addInput("scores").addOutput("probabilities")
                .addAttribute(ints("classlabels_int64s", 0, 1))
                .build();
        OnnxMl.TypeProto mapOfProbabilities = OnnxMl.TypeProto.newBuilder()
                .setMapType(OnnxMl.TypeProto.Map.newBuilder()
                        .setKeyType(OnnxMl.TensorProto.DataType.INT64.getNumber())
                        .setValueType(OnnxMl.TypeProto.newBuilder().setTensorType(OnnxMl.TypeProto.Tensor.newBuilder()
                                .setElemType(OnnxMl.TensorProto.DataType.FLOAT.getNumber()))))
                .build();
        OnnxMl.GraphProto graph = OnnxMl.GraphProto.newBuilder().setName("sklearn_like")
                .addInput(tensor("x", OnnxMl.TensorProto.DataType.FLOAT, k))
                .addNode(classifier)
                .addNode(zipMap)
                .addOutput(tensor("label", OnnxMl.TensorProto.DataType.INT64, -1))
                .addOutput(OnnxMl.ValueInfoProto.newBuilder().setName("probabilities")
                        .setType(OnnxMl.TypeProto.newBuilder().setSequenceType(
                                OnnxMl.TypeProto.Sequence.newBuilder().setElemType(mapOfProbabilities))))
                .build();
        return OnnxMl.ModelProto.newBuilder().setIrVersion(8).setProducerName("test")
                .addOpsetImport(OnnxMl.OperatorSetIdProto.newBuilder().setDomain("").setVersion(13))
                .addOpsetImport(OnnxMl.OperatorSetIdProto.newBuilder().setDomain(ML).setVersion(1))
                .setGraph(graph).build().toByteArray();
    }

    /** A tensor [batch] when {@code width} is -1, else [batch, width]. */
    private static OnnxMl.ValueInfoProto tensor(String name, OnnxMl.TensorProto.DataType type, int width) {
        OnnxMl.TensorShapeProto.Builder shape = OnnxMl.TensorShapeProto.newBuilder()
                .addDim(OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimParam("batch"));
        if (width >= 0) {
            shape.addDim(OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimValue(width));
        }
        return OnnxMl.ValueInfoProto.newBuilder().setName(name).setType(OnnxMl.TypeProto.newBuilder()
                .setTensorType(OnnxMl.TypeProto.Tensor.newBuilder().setElemType(type.getNumber()).setShape(shape)))
                .build();
    }

    private static OnnxMl.AttributeProto.Builder floats(String name) {
        return OnnxMl.AttributeProto.newBuilder().setName(name).setType(OnnxMl.AttributeProto.AttributeType.FLOATS);
    }

    private static OnnxMl.AttributeProto.Builder ints(String name, long... values) {
        OnnxMl.AttributeProto.Builder attribute = OnnxMl.AttributeProto.newBuilder().setName(name)
                .setType(OnnxMl.AttributeProto.AttributeType.INTS);
        for (long v : values) {
            attribute.addInts(v);
        }
        return attribute;
    }

    private static OnnxMl.AttributeProto.Builder string(String name, String value) {
        return OnnxMl.AttributeProto.newBuilder().setName(name).setType(OnnxMl.AttributeProto.AttributeType.STRING)
                .setS(ByteString.copyFrom(value, StandardCharsets.UTF_8));
    }
}
