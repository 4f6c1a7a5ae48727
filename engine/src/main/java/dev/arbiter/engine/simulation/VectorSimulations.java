package dev.arbiter.engine.simulation;

import static dev.arbiter.engine.policy.PolicyParameter.CONFIDENCE_AGREEMENT_WEIGHT;
import static dev.arbiter.engine.policy.PolicyParameter.CONFIDENCE_EDGE_SCALE;
import static dev.arbiter.engine.policy.PolicyParameter.CONFIDENCE_TREND_WEIGHT;
import static dev.arbiter.engine.policy.PolicyParameter.CONFIDENCE_VOLATILITY_PENALTY;
import static dev.arbiter.engine.policy.PolicyParameter.CONFIDENCE_VOLATILITY_REFERENCE;
import static dev.arbiter.engine.policy.PolicyParameter.GATE_CONFIDENCE_VOLATILITY_SLOPE;
import static dev.arbiter.engine.policy.PolicyParameter.GATE_MAX_VOLATILITY;
import static dev.arbiter.engine.policy.PolicyParameter.GATE_MIN_AGREEMENT;
import static dev.arbiter.engine.policy.PolicyParameter.GATE_MIN_CONFIDENCE;
import static dev.arbiter.engine.policy.PolicyParameter.GATE_MIN_EDGE;
import static dev.arbiter.engine.policy.PolicyParameter.GATE_MIN_TREND;
import static dev.arbiter.engine.policy.PolicyParameter.META_MIN_PROBABILITY;
import static dev.arbiter.engine.policy.PolicyParameter.META_SIZE_WEIGHT;
import static dev.arbiter.engine.policy.PolicyParameter.POLICY_ALLOW_SHORT;
import static dev.arbiter.engine.policy.PolicyParameter.RISK_COOLDOWN_LOSSES;
import static dev.arbiter.engine.policy.PolicyParameter.RISK_COOLDOWN_OBSERVATIONS;
import static dev.arbiter.engine.policy.PolicyParameter.RISK_DRAWDOWN_LIMIT;
import static dev.arbiter.engine.policy.PolicyParameter.RISK_DRAWDOWN_SOFT;
import static dev.arbiter.engine.policy.PolicyParameter.RISK_KELLY_FRACTION;
import static dev.arbiter.engine.policy.PolicyParameter.RISK_MAX_SERIES_EXPOSURE;
import static dev.arbiter.engine.policy.PolicyParameter.RISK_MAX_SIZE;
import static dev.arbiter.engine.policy.PolicyParameter.RISK_MAX_TOTAL_EXPOSURE;
import static dev.arbiter.engine.policy.PolicyParameter.RISK_MIN_SIZE;
import static dev.arbiter.engine.policy.PolicyParameter.RISK_VOLATILITY_TARGET;
import static jdk.incubator.vector.VectorOperators.GE;
import static jdk.incubator.vector.VectorOperators.GT;
import static jdk.incubator.vector.VectorOperators.LE;
import static jdk.incubator.vector.VectorOperators.LT;

import dev.arbiter.engine.policy.MetaGate;
import dev.arbiter.engine.policy.PolicyParameters;
import java.util.Arrays;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * The full policy for several parameter sets at once, one simulation per SIMD lane: the loop of
 * {@link Simulator}'s walk, with the first pass folded into it, where every value is a vector of one value per
 * simulation. A single simulation is a chain from each decision to the next and cannot fill the machine's vector
 * units; {@code LANES} simulations over the same steps can, since the step's data is the same for all of them and
 * only the parameters and the risk state differ.
 *
 * <p>Each lane computes the bits {@link Simulator#run} computes (the test compares every metric of 1,818 parameter
 * sets): the same IEEE operations in the same order, the selects of the one-by-one code as blends, and the counters
 * (losses, cooldown, actions, wins) as doubles, exact for integers of this size. Every min and max is a comparison
 * and a blend rather than the lanewise MIN and MAX, whose {@link Math#min} semantics (NaN and signed zeros) cost
 * several instructions each: exact here, since nothing the loop computes is NaN (parameters are finite,
 * {@code SimulationData} refuses the inputs that could make the risk state NaN, and unknown volatility enters the
 * volatility gate as +∞) and a signed zero, the only other difference, never reaches a metric. On AVX2 (four lanes)
 * that made the loop 1.2 to 1.3 times as fast. They are written in place: small helper methods for them made C2
 * leave the vectors boxed in some runs (about 2.5 times slower).
 *
 * <p>Needs C2 (HotSpot's default JIT) to compile the Vector API to SIMD instructions; interpreted or compiled by C1
 * it is correct but far slower than the one-by-one path.
 *
 * <p>Uses the incubating {@code jdk.incubator.vector} module: {@link Simulator#runAll} takes this path only when
 * the JVM was started with {@code --add-modules jdk.incubator.vector}, and the one-by-one path otherwise.
 */
final class VectorSimulations {

    private static final VectorSpecies<Double> S = DoubleVector.SPECIES_PREFERRED;
    static final int LANES = S.length();

    private final SimulationData d;
    private final Group group;
    private final SimulationMetrics metrics = new SimulationMetrics();

    /** Working memory for one thread over {@code data}. */
    VectorSimulations(SimulationData data) {
        this.d = data;
        this.group = new Group(data.n + 2 * data.horizon);
    }

    /** Runs {@code ps[from .. to)} with the full policy; writes each simulation's metrics at its row of {@code results}. */
    void run(PolicyParameters[] ps, int from, int to, double[] results) {
        Group g = group;
        for (int i = from; i < to; i += LANES) {
            int count = Math.min(LANES, to - i);
            for (int k = 0; k < LANES; k++) {
                g.load(k, ps[i + Math.min(k, count - 1)]); // unused lanes repeat the last parameter set
            }
            g.run(d);
            for (int k = 0; k < count; k++) {
                Simulator.finish(d, metrics, (long) g.actions[k], (long) g.wins[k], (long) g.falsePositives[k],
                        g.equity[k], g.pnlSquares[k], g.maxDrawdown[k], g.turnover[k]);
                metrics.writeTo(results, (i + k) * SimulationMetrics.FIELDS);
            }
        }
    }

    /** One vector's worth of simulations: their parameters, lane by lane, and their results. */
    private static final class Group {
        final double[] edgeScale = new double[LANES];
        final double[] agreementWeight = new double[LANES];
        final double[] inverseReference = new double[LANES];
        final double[] volatilityPenalty = new double[LANES];
        final double[] trendWeight = new double[LANES];
        final double[] minAgreement = new double[LANES];
        final double[] minConfidence = new double[LANES];
        final double[] confidenceSlope = new double[LANES];
        final double[] maxVolatility = new double[LANES];
        final double[] minTrend = new double[LANES];
        final double[] trendGateOff = new double[LANES];
        final double[] volatilityTarget = new double[LANES];
        final double[] kellyFraction = new double[LANES];
        final double[] minEdge = new double[LANES];
        final double[] shortGate = new double[LANES];
        final double[] maxSize = new double[LANES];
        final double[] minSize = new double[LANES];
        final double[] maxSeries = new double[LANES];
        final double[] maxTotal = new double[LANES];
        final double[] drawdownSoft = new double[LANES];
        final double[] drawdownLimit = new double[LANES];
        final double[] inverseBrakeRange = new double[LANES];
        final double[] cooldownTrigger = new double[LANES];
        final double[] cooldownLength = new double[LANES];
        final double[] minMeta = new double[LANES];
        final double[] metaGateOff = new double[LANES];
        final double[] metaKeep = new double[LANES];
        final double[] metaWeight = new double[LANES];

        final double[] equity = new double[LANES];
        final double[] maxDrawdown = new double[LANES];
        final double[] pnlSquares = new double[LANES];
        final double[] turnover = new double[LANES];
        final double[] actions = new double[LANES];
        final double[] wins = new double[LANES];
        final double[] falsePositives = new double[LANES];

        /** Decision sizes and directions, step t's at (t + horizon) × LANES; the first horizon rows stay 0. */
        final double[] takenSize;
        final double[] takenDirection;

        Group(int rows) {
            takenSize = new double[rows * LANES];
            takenDirection = new double[rows * LANES];
        }

        void load(int k, PolicyParameters p) {
            edgeScale[k] = p.get(CONFIDENCE_EDGE_SCALE);
            agreementWeight[k] = p.get(CONFIDENCE_AGREEMENT_WEIGHT);
            inverseReference[k] = 1 / p.get(CONFIDENCE_VOLATILITY_REFERENCE);
            volatilityPenalty[k] = p.get(CONFIDENCE_VOLATILITY_PENALTY);
            trendWeight[k] = p.get(CONFIDENCE_TREND_WEIGHT);
            minAgreement[k] = p.get(GATE_MIN_AGREEMENT);
            minConfidence[k] = p.get(GATE_MIN_CONFIDENCE);
            confidenceSlope[k] = p.get(GATE_CONFIDENCE_VOLATILITY_SLOPE);
            maxVolatility[k] = p.get(GATE_MAX_VOLATILITY);
            minTrend[k] = p.get(GATE_MIN_TREND);
            trendGateOff[k] = minTrend[k] <= 0 ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY;
            volatilityTarget[k] = p.get(RISK_VOLATILITY_TARGET);
            kellyFraction[k] = p.get(RISK_KELLY_FRACTION);
            minEdge[k] = p.get(GATE_MIN_EDGE);
            // +∞ picks the admissibility of either side, −∞ that of longs only (see the walk)
            shortGate[k] = p.get(POLICY_ALLOW_SHORT) >= 1 ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY;
            maxSize[k] = p.get(RISK_MAX_SIZE);
            minSize[k] = p.get(RISK_MIN_SIZE);
            maxSeries[k] = p.get(RISK_MAX_SERIES_EXPOSURE);
            maxTotal[k] = p.get(RISK_MAX_TOTAL_EXPOSURE);
            drawdownSoft[k] = p.get(RISK_DRAWDOWN_SOFT);
            drawdownLimit[k] = p.get(RISK_DRAWDOWN_LIMIT);
            inverseBrakeRange[k] = 1 / (drawdownLimit[k] - drawdownSoft[k]);
            cooldownTrigger[k] = (int) p.get(RISK_COOLDOWN_LOSSES);
            cooldownLength[k] = (int) p.get(RISK_COOLDOWN_OBSERVATIONS);
            minMeta[k] = p.get(META_MIN_PROBABILITY);
            metaGateOff[k] = MetaGate.off(minMeta[k]) ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY;
            metaWeight[k] = p.get(META_SIZE_WEIGHT);
            metaKeep[k] = 1 - metaWeight[k]; // MetaGate.sizeFactor's 1 − w, computed once
        }

        /**
         * Every step in time order, as {@link Simulator}'s walk: realise the position opened horizon steps before,
         * then decide the step (its state-free part first, as the first pass computes it). The data runs horizon
         * steps past the last, where no step is admissible.
         */
        void run(SimulationData d) {
            final int h = d.horizon;
            final int end = d.n + h;
            final double cost2 = 2 * d.costPerTurnover;
            final double[] taken = takenSize;
            final double[] takenDir = takenDirection;
            Arrays.fill(taken, 0, h * LANES, 0);
            Arrays.fill(takenDir, 0, h * LANES, 0);

            final DoubleVector edgeScaleV = DoubleVector.fromArray(S, edgeScale, 0);
            final DoubleVector agreementWeightV = DoubleVector.fromArray(S, agreementWeight, 0);
            final DoubleVector inverseReferenceV = DoubleVector.fromArray(S, inverseReference, 0);
            final DoubleVector volatilityPenaltyV = DoubleVector.fromArray(S, volatilityPenalty, 0);
            final DoubleVector trendWeightV = DoubleVector.fromArray(S, trendWeight, 0);
            final DoubleVector minAgreementV = DoubleVector.fromArray(S, minAgreement, 0);
            final DoubleVector minConfidenceV = DoubleVector.fromArray(S, minConfidence, 0);
            final DoubleVector confidenceSlopeV = DoubleVector.fromArray(S, confidenceSlope, 0);
            final DoubleVector maxVolatilityV = DoubleVector.fromArray(S, maxVolatility, 0);
            final DoubleVector minTrendV = DoubleVector.fromArray(S, minTrend, 0);
            final DoubleVector trendGateOffV = DoubleVector.fromArray(S, trendGateOff, 0);
            final DoubleVector volatilityTargetV = DoubleVector.fromArray(S, volatilityTarget, 0);
            final DoubleVector kellyFractionV = DoubleVector.fromArray(S, kellyFraction, 0);
            final DoubleVector minEdgeV = DoubleVector.fromArray(S, minEdge, 0);
            final DoubleVector shortGateV = DoubleVector.fromArray(S, shortGate, 0);
            final DoubleVector maxSizeV = DoubleVector.fromArray(S, maxSize, 0);
            final DoubleVector minSizeV = DoubleVector.fromArray(S, minSize, 0);
            final DoubleVector maxSeriesV = DoubleVector.fromArray(S, maxSeries, 0);
            final DoubleVector maxTotalV = DoubleVector.fromArray(S, maxTotal, 0);
            final DoubleVector softV = DoubleVector.fromArray(S, drawdownSoft, 0);
            final DoubleVector limitV = DoubleVector.fromArray(S, drawdownLimit, 0);
            final DoubleVector inverseBrakeRangeV = DoubleVector.fromArray(S, inverseBrakeRange, 0);
            final DoubleVector triggerV = DoubleVector.fromArray(S, cooldownTrigger, 0);
            final DoubleVector cooldownLengthV = DoubleVector.fromArray(S, cooldownLength, 0);
            final DoubleVector minMetaV = DoubleVector.fromArray(S, minMeta, 0);
            final DoubleVector metaGateOffV = DoubleVector.fromArray(S, metaGateOff, 0);
            final DoubleVector metaWeightV = DoubleVector.fromArray(S, metaWeight, 0);
            final DoubleVector metaKeepV = DoubleVector.fromArray(S, metaKeep, 0);
            final VectorMask<Double> triggerOn = triggerV.compare(GT, 0);
            final DoubleVector zero = DoubleVector.zero(S);
            final DoubleVector one = DoubleVector.broadcast(S, 1);

            DoubleVector equityV = zero;
            DoubleVector peakV = zero;
            DoubleVector maxDrawdownV = zero;
            DoubleVector exposureV = zero;
            DoubleVector seriesPositionV = zero;
            DoubleVector lossesV = zero;
            DoubleVector cooldownEndV = zero;
            DoubleVector actionsV = zero;
            DoubleVector winsV = zero;
            DoubleVector falsePositivesV = zero;
            DoubleVector pnlSquaresV = zero;
            DoubleVector turnoverV = zero;
            for (int t = 0; t < end; t++) {
                // Realise the position opened at t − h.
                final double tt = t;
                final double r = d.closingReturn[t];
                DoubleVector dirOpen = DoubleVector.fromArray(S, takenDir, t * LANES);
                DoubleVector s = DoubleVector.fromArray(S, taken, t * LANES);
                DoubleVector realised = dirOpen.mul(s).mul(r).sub(s.mul(cost2));
                equityV = equityV.add(realised);
                peakV = peakV.blend(equityV, equityV.compare(GT, peakV));
                DoubleVector below = peakV.sub(equityV);
                maxDrawdownV = maxDrawdownV.blend(below, below.compare(GT, maxDrawdownV));
                // RiskManager.cooldownAfter and lossesAfter, lane by lane
                VectorMask<Double> loss = realised.compare(LT, 0);
                DoubleVector remaining = cooldownEndV.sub(tt);
                remaining = remaining.blend(zero, remaining.compare(LT, 0));
                VectorMask<Double> starts = loss.and(triggerOn).and(lossesV.add(1).compare(GE, triggerV));
                cooldownEndV = remaining.blend(cooldownLengthV, starts.and(cooldownLengthV.compare(GT, remaining))).add(tt);
                DoubleVector run = lossesV.add(zero.blend(one, loss)).blend(zero, realised.compare(GT, 0));
                lossesV = run.blend(zero, triggerOn.and(run.compare(GE, triggerV)));
                exposureV = exposureV.sub(s);
                seriesPositionV = seriesPositionV.sub(dirOpen.mul(s));
                actionsV = actionsV.add(dirOpen.mul(dirOpen));
                turnoverV = turnoverV.add(s.mul(2));
                pnlSquaresV = pnlSquaresV.add(realised.mul(realised));
                DoubleVector signed = dirOpen.mul(r);
                winsV = winsV.add(zero.blend(one, signed.compare(GT, 0)));
                falsePositivesV = falsePositivesV.add(zero.blend(one, signed.compare(LT, 0)));

                // The state-free part of step t (Simulator's first pass).
                final double edge = d.edge[t];
                final double agreement = d.agreement[t];
                // Min and max as comparisons and blends (see the class comment). A tie between zeros of either sign
                // may keep the other zero than Math.min would: only the margin's sign (≥ 0) and sizes too small to act
                // read them, so the metrics keep run()'s bits.
                DoubleVector excess = inverseReferenceV.mul(d.knownVolatility[t]).sub(1);
                excess = excess.blend(zero, excess.compare(LE, 0));
                DoubleVector agreementFactor = one.sub(agreementWeightV).add(agreementWeightV.mul(agreement));
                // 1 / (penalty × 0 + 1) is exactly 1: skip the division (13 % of the loop on AVX2) on steps where no
                // lane's volatility exceeds its reference, the usual case (56 % of the benchmark's steps; the branch
                // changes with the volatility's crossings of the reference, about 6 in 100 steps there)
                DoubleVector penalty = excess.compare(GT, 0).anyTrue()
                        ? one.div(volatilityPenaltyV.mul(excess).add(1))
                        : one;
                DoubleVector confidence = edgeScaleV.mul(edge).mul(agreementFactor).mul(penalty)
                        .mul(trendWeightV.mul(d.knownTrend[t] - 0.5).add(1));
                confidence = confidence.blend(one, confidence.compare(GT, 1));
                confidence = confidence.blend(zero, confidence.compare(LE, 0));
                DoubleVector kelly = kellyFractionV.mul(edge);
                DoubleVector volatilitySize = confidence.mul(volatilityTargetV).mul(d.inverseVolatility[t]);
                DoubleVector base = kelly.blend(volatilitySize, volatilitySize.compare(LT, kelly));
                base = base.blend(maxSizeV, maxSizeV.compare(LT, base));
                base = base.mul(metaKeepV.add(metaWeightV.mul(d.metaBetSize[t]))); // MetaGate.sizeFactor
                // min(shortGate, eitherSide) then max with long: 0 where the step is admissible, −∞ where not
                DoubleVector either = DoubleVector.broadcast(S, d.admissibleEitherSide[t]);
                DoubleVector admissible = shortGateV.blend(either, either.compare(LT, shortGateV));
                DoubleVector longOnly = DoubleVector.broadcast(S, d.admissibleLong[t]);
                admissible = admissible.blend(longOnly, longOnly.compare(GT, admissible));
                DoubleVector required = minConfidenceV.mul(confidenceSlopeV.mul(excess).add(1));
                DoubleVector margin = confidence.sub(required);
                DoubleVector sizeMargin = base.sub(minSizeV);
                margin = margin.blend(sizeMargin, sizeMargin.compare(LT, margin)).add(admissible);
                DoubleVector edgeMargin = minEdgeV.neg().add(d.halfEdge[t]);
                DoubleVector agreementMargin = minAgreementV.neg().add(agreement);
                DoubleVector volatilityMargin = maxVolatilityV.sub(d.volatilityForGate[t]);
                DoubleVector trendMargin = minTrendV.neg().add(d.trendForGate[t]);
                trendMargin = trendMargin.blend(trendGateOffV, trendGateOffV.compare(GT, trendMargin));
                // as a tree (two minimums side by side, then theirs), not a chain of four
                DoubleVector thresholds = edgeMargin.blend(agreementMargin, agreementMargin.compare(LT, edgeMargin));
                volatilityMargin = volatilityMargin.blend(trendMargin, trendMargin.compare(LT, volatilityMargin));
                thresholds = thresholds.blend(volatilityMargin, volatilityMargin.compare(LT, thresholds));
                margin = margin.blend(thresholds, thresholds.compare(LT, margin));
                // the learned gate: q − min, or +∞ when it is off (unknown q enters as −∞)
                DoubleVector metaMargin = minMetaV.neg().add(d.metaForGate[t]);
                metaMargin = metaMargin.blend(metaGateOffV, metaGateOffV.compare(GT, metaMargin));
                margin = margin.blend(metaMargin, metaMargin.compare(LT, margin));

                // Decide step t with the risk state.
                final double dir = d.leaning[t];
                DoubleVector drawdown = peakV.sub(equityV);
                DoubleVector seriesRoom = maxSeriesV.sub(seriesPositionV.mul(dir));
                DoubleVector totalRoom = maxTotalV.sub(exposureV);
                DoubleVector room = seriesRoom.blend(totalRoom, totalRoom.compare(LT, seriesRoom));
                DoubleVector brake = limitV.sub(drawdown).mul(inverseBrakeRangeV)
                        .blend(zero, drawdown.compare(GE, limitV))
                        .blend(one, drawdown.compare(LE, softV));
                DoubleVector sized = base.mul(brake);
                sized = sized.blend(room, room.compare(LT, sized));
                VectorMask<Double> act = margin.compare(GE, 0)
                        .and(cooldownEndV.compare(LE, tt))
                        .and(drawdown.compare(LT, limitV))
                        .and(sized.compare(GE, minSizeV))
                        .and(sized.compare(GT, 0));
                DoubleVector acted = zero.blend(one, act);
                DoubleVector size = sized.mul(acted);
                DoubleVector dirTaken = acted.mul(dir);
                size.intoArray(taken, (t + h) * LANES);
                dirTaken.intoArray(takenDir, (t + h) * LANES);
                exposureV = exposureV.add(size);
                seriesPositionV = seriesPositionV.add(dirTaken.mul(size));
            }
            equityV.intoArray(equity, 0);
            maxDrawdownV.intoArray(maxDrawdown, 0);
            pnlSquaresV.intoArray(pnlSquares, 0);
            turnoverV.intoArray(turnover, 0);
            actionsV.intoArray(actions, 0);
            winsV.intoArray(wins, 0);
            falsePositivesV.intoArray(falsePositives, 0);
        }
    }
}
