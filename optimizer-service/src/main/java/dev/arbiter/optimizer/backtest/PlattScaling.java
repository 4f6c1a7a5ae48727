package dev.arbiter.optimizer.backtest;

/**
 * Platt scaling of an ensemble probability, fitted per fold on its selection rows: q = σ(a·logit(p) + b), a and b by
 * Newton-Raphson on the log loss with a small ridge (so a one-sided or separable sample still gives finite values).
 * An increasing map (a ≥ 0): it moves probabilities to match observed frequencies without inverting their order.
 */
record PlattScaling(double a, double b) {

    static final PlattScaling IDENTITY = new PlattScaling(1, 0);
    private static final double RIDGE = 1e-3;
    private static final double EPS = 1e-6;

    /** Fits a and b to {@code p[i]} and labels {@code y[i]} (0 or 1); the identity when there are no rows. */
    static PlattScaling fit(double[] p, int[] y) {
        if (p.length == 0) {
            return IDENTITY;
        }
        double a = 1;
        double b = 0;
        for (int iter = 0; iter < 50; iter++) {
            // gradient and Hessian of the mean log loss + ridge/2 (a - 1)^2 + ridge/2 b^2
            double ga = RIDGE * (a - 1);
            double gb = RIDGE * b;
            double haa = RIDGE;
            double hab = 0;
            double hbb = RIDGE;
            for (int i = 0; i < p.length; i++) {
                double x = logit(p[i]);
                double q = sigmoid(a * x + b);
                double r = (q - y[i]) / p.length;
                double w = q * (1 - q) / p.length;
                ga += r * x;
                gb += r;
                haa += w * x * x;
                hab += w * x;
                hbb += w;
            }
            double det = haa * hbb - hab * hab;
            if (!(det > 0)) {
                break;
            }
            double da = (hbb * ga - hab * gb) / det;
            double db = (haa * gb - hab * ga) / det;
            a = Math.max(0, a - da); // increasing in p: a calibration may flatten the ranking, never invert it
            b -= db;
            if (Math.abs(da) + Math.abs(db) < 1e-10) {
                break;
            }
        }
        return Double.isFinite(a) && Double.isFinite(b) ? new PlattScaling(a, b) : IDENTITY;
    }

    double apply(double p) {
        if (a == 1 && b == 0) {
            return p; // the identity, exactly (the round trip through logit would move the last bits)
        }
        return sigmoid(a * logit(p) + b);
    }

    private static double logit(double p) {
        double c = Math.min(1 - EPS, Math.max(EPS, p));
        return Math.log(c / (1 - c));
    }

    private static double sigmoid(double z) {
        return 1 / (1 + Math.exp(-z));
    }
}
