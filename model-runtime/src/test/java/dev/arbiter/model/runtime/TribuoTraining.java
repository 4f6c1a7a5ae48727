package dev.arbiter.model.runtime;

import org.tribuo.Model;
import org.tribuo.MutableDataset;
import org.tribuo.ONNXExportable;
import org.tribuo.classification.Label;
import org.tribuo.classification.LabelFactory;
import org.tribuo.classification.liblinear.LibLinearClassificationTrainer;
import org.tribuo.classification.liblinear.LinearClassificationType;
import org.tribuo.classification.sgd.linear.LinearSGDTrainer;
import org.tribuo.classification.sgd.linear.LogisticRegressionTrainer;
import org.tribuo.classification.sgd.objectives.Hinge;
import org.tribuo.impl.ArrayExample;
import org.tribuo.math.optimisers.AdaGrad;
import org.tribuo.provenance.SimpleDataSourceProvenance;

import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Trains Tribuo classifiers on {@link SyntheticData} (no missing values: ONNX models take none) and exports them to
 * ONNX, as an uploader would. The positive class is the label "up".
 */
public final class TribuoTraining {

    public static final Label UP = new Label("up");
    private static final Label DOWN = new Label("down");
    private static final String[] NAMES = SyntheticData.featureNames().toArray(String[]::new);

    static {
        Logger.getLogger("org.tribuo").setLevel(Level.WARNING); // one INFO line per SGD epoch otherwise
    }

    private TribuoTraining() {
    }

    public static MutableDataset<Label> dataset(SyntheticData data) {
        LabelFactory factory = new LabelFactory();
        MutableDataset<Label> dataset = new MutableDataset<>(new SimpleDataSourceProvenance("synthetic", factory), factory);
        for (int r = 0; r < data.n; r++) {
            dataset.add(new ArrayExample<>(data.labels[r] > 0 ? UP : DOWN, NAMES, data.row(r)));
        }
        return dataset;
    }

    /** Logistic regression by SGD (AdaGrad, 5 epochs): its ONNX output is softmax probabilities [n, 2]. */
    public static Model<Label> logisticRegression(SyntheticData data) {
        return new LogisticRegressionTrainer().train(dataset(data));
    }

    /** LibLinear's L2-regularised L2-loss linear SVM: its ONNX output is decision values [n, 2], +s and -s. */
    public static Model<Label> libLinearSvm(SyntheticData data) {
        return new LibLinearClassificationTrainer(new LinearClassificationType(
                LinearClassificationType.LinearType.L2R_L2LOSS_SVC_DUAL), 1.0, 1000, 0.1, 1L).train(dataset(data));
    }

    /** A linear SVM by SGD on the hinge loss: its ONNX output is decision values [n, 2], +s and -s. */
    public static Model<Label> sgdHingeSvm(SyntheticData data) {
        return new LinearSGDTrainer(new Hinge(), new AdaGrad(0.1, 0.1), 5, 1L).train(dataset(data));
    }

    public static byte[] onnx(Model<Label> model) {
        return ((ONNXExportable) model).exportONNXModel("dev.arbiter", 1L).toByteArray();
    }

    /** The artifact an uploader would register: the positive class's column is Tribuo's id for "up". */
    public static ModelArtifact artifact(Model<Label> model) {
        return new ModelArtifact(ArtifactFormat.ONNX, onnx(model), SyntheticData.featureNames(), "",
                model.getOutputIDInfo().getID(UP));
    }

    /** Tribuo's own decision. */
    public static boolean predictsUp(Model<Label> model, double[] row) {
        return model.predict(new ArrayExample<>(LabelFactory.UNKNOWN_LABEL, NAMES, row)).getOutput().equals(UP);
    }

    /** Tribuo's own score for "up": a probability for logistic regression, a decision value for SVMs. */
    public static double score(Model<Label> model, double[] row) {
        return model.predict(new ArrayExample<>(LabelFactory.UNKNOWN_LABEL, NAMES, row)).getOutputScores()
                .get(UP.getLabel()).getScore();
    }
}
