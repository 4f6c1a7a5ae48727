package dev.arbiter.optimizer.training;

import dev.arbiter.proto.v1.CalibrationMethod;
import dev.arbiter.proto.v1.ModelKind;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.tribuo.MutableDataset;
import org.tribuo.Prediction;
import org.tribuo.classification.Label;
import org.tribuo.classification.LabelFactory;
import org.tribuo.classification.liblinear.LibLinearClassificationModel;
import org.tribuo.classification.liblinear.LibLinearClassificationTrainer;
import org.tribuo.classification.liblinear.LinearClassificationType;
import org.tribuo.classification.liblinear.LinearClassificationType.LinearType;
import org.tribuo.impl.ArrayExample;
import org.tribuo.provenance.SimpleDataSourceProvenance;

/**
 * Logistic regression and the linear SVM with Tribuo's LibLinear trainer (L2-regularised logistic regression,
 * L2-regularised L2-loss SVM by its dual solver), on features standardised with the fitting rows' mean and standard
 * deviation. The fitted score is read back from the LibLinear model, checked against Tribuo's own predictions, and
 * unfolded to raw features: {@code s = w·x + b}. A calibration (Platt or isotonic) is fitted on the latest
 * {@code calibration_fraction} of the training rows, after an embargo of the label horizon, that the linear fit never
 * saw; the result exports as one ONNX graph.
 */
final class LinearTrainer {

    private static final Label POSITIVE = new Label("1");
    private static final Label NEGATIVE = new Label("0");
    /** Fewest rows of each class the calibration part must hold. */
    static final int MIN_CALIBRATION_ROWS_PER_CLASS = 5;

    static {
        Logger.getLogger("org.tribuo").setLevel(Level.WARNING);
    }

    private LinearTrainer() {
    }

    static TrainedModel train(ModelSettings settings, TrainingData train, TrainingData validation, long seed,
                              ProgressListener listener) {
        requireFinite(train, "training");
        if (validation != null) {
            requireFinite(validation, "validation");
        }
        boolean calibrate = settings.calibration() != CalibrationMethod.CALIBRATION_METHOD_NONE;
        TrainingData fit = train;
        TrainingData held = null;
        if (calibrate) {
            int heldRows = (int) Math.round(settings.get("calibration_fraction") * train.rows());
            int fitRows = train.rows() - heldRows - train.embargo();
            if (fitRows < 2) {
                throw new IllegalArgumentException("calibration needs " + heldRows + " held-out rows after an embargo of "
                        + train.embargo() + " but training has only " + train.rows() + " rows; use more history");
            }
            fit = train.slice(0, fitRows);
            held = train.slice(fitRows + train.embargo(), train.rows());
            int heldPositives = held.positives();
            if (Math.min(heldPositives, held.rows() - heldPositives) < MIN_CALIBRATION_ROWS_PER_CLASS) {
                throw new IllegalArgumentException("the calibration rows (" + held.rows() + ") hold " + heldPositives
                        + " positives and " + (held.rows() - heldPositives) + " negatives; calibration needs at least "
                        + MIN_CALIBRATION_ROWS_PER_CLASS + " of each: use more history or a larger calibration_fraction");
            }
        }
        int fitPositives = fit.positives();
        if (fitPositives == 0 || fitPositives == fit.rows()) {
            throw new IllegalArgumentException("the fitting rows hold only " + (fitPositives == 0 ? "negative" : "positive")
                    + " labels; a classifier needs both: use more history or another label");
        }
        if (listener.cancelled()) {
            throw new TrainingCancelled();
        }
        LinearScore score = fitScore(settings, fit, seed);
        listener.progress(1, 1, Double.NaN, Double.NaN, "fitted " + (settings.kind() == ModelKind.MODEL_KIND_LINEAR_SVM
                ? "linear SVM" : "logistic regression") + " on " + fit.rows() + " rows");
        ScoreCalibration calibration = new ScoreCalibration.Sigmoid(1.0, 0.0);
        if (calibrate) {
            double[] s = score.scores(held.x(), held.rows());
            calibration = settings.calibration() == CalibrationMethod.CALIBRATION_METHOD_PLATT
                    ? ScoreCalibration.platt(s, held.labels()) : ScoreCalibration.isotonic(s, held.labels());
        }
        Map<String, String> facts = new LinkedHashMap<>();
        facts.put("library", "tribuo-liblinear");
        facts.put("solver", solver(settings.kind()).name());
        facts.put("fit_rows", Integer.toString(fit.rows()));
        facts.put("calibration", settings.calibration().name());
        if (held != null) {
            facts.put("calibration_rows", Integer.toString(held.rows()));
        }
        facts.putAll(calibration.facts());
        LinearModel model = new LinearModel(settings, score, calibration, facts);
        double trainLoss = logLoss(model, train);
        double validationLoss = validation == null || validation.rows() == 0 ? Double.NaN : logLoss(model, validation);
        listener.progress(1, 1, trainLoss, validationLoss, calibrate ? "fitted " + settings.calibration().name()
                + " calibration on " + held.rows() + " held-out rows" : "fitted");
        return model;
    }

    private static LinearType solver(ModelKind kind) {
        return kind == ModelKind.MODEL_KIND_LINEAR_SVM ? LinearType.L2R_L2LOSS_SVC_DUAL : LinearType.L2R_LR;
    }

    /** Standardises, fits with Tribuo's LibLinear, and returns the score on raw features. */
    static LinearScore fitScore(ModelSettings settings, TrainingData fit, long seed) {
        int cols = fit.cols();
        int rows = fit.rows();
        double[] mean = new double[cols];
        double[] scale = new double[cols];
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < cols; j++) {
                mean[j] += fit.x()[r * cols + j];
            }
        }
        for (int j = 0; j < cols; j++) {
            mean[j] /= rows;
        }
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < cols; j++) {
                double d = fit.x()[r * cols + j] - mean[j];
                scale[j] += d * d;
            }
        }
        for (int j = 0; j < cols; j++) {
            double sd = Math.sqrt(scale[j] / rows);
            scale[j] = sd > 0 && Double.isFinite(sd) ? sd : 0.0; // a constant column carries nothing: weight 0
        }
        String[] names = new String[cols];
        for (int j = 0; j < cols; j++) {
            names[j] = String.format("x%04d", j);
        }
        LabelFactory factory = new LabelFactory();
        MutableDataset<Label> dataset = new MutableDataset<>(new SimpleDataSourceProvenance("arbiter-training", factory),
                factory);
        double[] z = new double[cols];
        for (int r = 0; r < rows; r++) {
            standardise(fit.x(), r, mean, scale, z);
            dataset.add(new ArrayExample<>(fit.labels()[r] == 1 ? POSITIVE : NEGATIVE, names, z.clone()));
        }
        LibLinearClassificationTrainer trainer = new LibLinearClassificationTrainer(
                new LinearClassificationType(solver(settings.kind())), settings.get("c"),
                settings.getInt("max_iterations"), settings.get("tolerance"), seed);
        LibLinearClassificationModel model = (LibLinearClassificationModel) trainer.train(dataset);

        // LibLinear's binary model: decision = Σ w[id]·value + w[last]·1 (Tribuo appends a constant feature for the
        // intercept), positive for the first of its labels; feature ids come from Tribuo's feature map.
        de.bwaldvogel.liblinear.Model inner = model.getInnerModels().get(0);
        double[] lw = inner.getFeatureWeights();
        int positiveId = model.getOutputIDInfo().getID(POSITIVE);
        double sign = inner.getLabels()[0] == positiveId ? 1.0 : -1.0;
        double[] wz = new double[cols];
        for (int j = 0; j < cols; j++) {
            int id = model.getFeatureIDMap().getID(names[j]);
            wz[j] = id >= 0 && scale[j] > 0 ? sign * lw[id] : 0.0;
        }
        double bz = sign * lw[model.getFeatureIDMap().size()];
        checkAgainstTribuo(model, names, fit, mean, scale, wz, bz);
        // Unfold the standardisation: Σ wz·(x − mean)/scale + bz = Σ (wz/scale)·x + (bz − Σ wz·mean/scale).
        double[] w = new double[cols];
        double b = bz;
        for (int j = 0; j < cols; j++) {
            if (scale[j] > 0) {
                w[j] = wz[j] / scale[j];
                b -= w[j] * mean[j];
            }
        }
        return new LinearScore(w, b);
    }

    /** The extracted score must decide as Tribuo's own model does, or the weights were read wrongly. */
    private static void checkAgainstTribuo(LibLinearClassificationModel model, String[] names, TrainingData fit,
                                           double[] mean, double[] scale, double[] wz, double bz) {
        int cols = fit.cols();
        double[] z = new double[cols];
        int checked = 0;
        for (int r = 0; r < fit.rows() && checked < 200; r++) {
            standardise(fit.x(), r, mean, scale, z);
            double s = bz;
            for (int j = 0; j < cols; j++) {
                s += wz[j] * z[j];
            }
            if (Math.abs(s) < 1e-6) {
                continue;
            }
            Prediction<Label> p = model.predict(new ArrayExample<>(LabelFactory.UNKNOWN_LABEL, names, z.clone()));
            boolean tribuoPositive = p.getOutput().getLabel().equals(POSITIVE.getLabel());
            if (tribuoPositive != s > 0) {
                throw new IllegalStateException("the linear score read from LibLinear (" + s + ") disagrees with"
                        + " Tribuo's prediction " + p.getOutput() + " on row " + r);
            }
            checked++;
        }
    }

    private static void standardise(double[] x, int row, double[] mean, double[] scale, double[] out) {
        int cols = mean.length;
        for (int j = 0; j < cols; j++) {
            out[j] = scale[j] > 0 ? (x[row * cols + j] - mean[j]) / scale[j] : 0.0;
        }
    }

    private static void requireFinite(TrainingData data, String what) {
        double[] x = data.x();
        for (int i = 0; i < x.length; i++) {
            if (!Double.isFinite(x[i])) {
                throw new IllegalArgumentException("the " + what + " features hold " + x[i] + " at row " + i / data.cols()
                        + ", column " + i % data.cols() + "; linear models need finite features (tree kinds accept NaN)");
            }
        }
    }

    private static double logLoss(TrainedModel model, TrainingData data) {
        return ProbabilityMetrics.of(model.predict(data.x(), data.rows()), data.labels()).logLoss();
    }
}
