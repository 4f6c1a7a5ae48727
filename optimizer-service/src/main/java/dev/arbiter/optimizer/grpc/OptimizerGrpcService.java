package dev.arbiter.optimizer.grpc;

import dev.arbiter.optimizer.backtest.BacktestService;
import dev.arbiter.optimizer.backtest.ReportStore;
import dev.arbiter.optimizer.backtest.StressService;
import dev.arbiter.optimizer.config.OptimizerConfig;
import dev.arbiter.optimizer.history.HistorySeries;
import dev.arbiter.optimizer.history.HistoryStore;
import dev.arbiter.optimizer.history.SeriesHistory;
import dev.arbiter.optimizer.promotion.ParameterPromotion;
import dev.arbiter.optimizer.repository.ReportEntity;
import dev.arbiter.optimizer.retraining.Retrainings;
import dev.arbiter.optimizer.study.StudyService;
import dev.arbiter.optimizer.study.TrialRunner;
import dev.arbiter.optimizer.training.TrainingJobs;
import dev.arbiter.proto.v1.AskRequest;
import dev.arbiter.proto.v1.BacktestReport;
import dev.arbiter.proto.v1.BacktestUpdate;
import dev.arbiter.proto.v1.CancelTrainingJobRequest;
import dev.arbiter.proto.v1.CreateStudyRequest;
import dev.arbiter.proto.v1.GetBacktestReportRequest;
import dev.arbiter.proto.v1.GetBestTrialsRequest;
import dev.arbiter.proto.v1.GetBestTrialsResponse;
import dev.arbiter.proto.v1.GetStressReportRequest;
import dev.arbiter.proto.v1.GetStudyRequest;
import dev.arbiter.proto.v1.GetTrainingJobRequest;
import dev.arbiter.proto.v1.ImportHistoryRequest;
import dev.arbiter.proto.v1.ImportHistoryResponse;
import dev.arbiter.proto.v1.ListHistoryRequest;
import dev.arbiter.proto.v1.ListHistoryResponse;
import dev.arbiter.proto.v1.ListReportsRequest;
import dev.arbiter.proto.v1.ListReportsResponse;
import dev.arbiter.proto.v1.ListRetrainingsRequest;
import dev.arbiter.proto.v1.ListRetrainingsResponse;
import dev.arbiter.proto.v1.ListStudiesRequest;
import dev.arbiter.proto.v1.ListStudiesResponse;
import dev.arbiter.proto.v1.ListTrainingJobsRequest;
import dev.arbiter.proto.v1.ListTrainingJobsResponse;
import dev.arbiter.proto.v1.ListTrialsRequest;
import dev.arbiter.proto.v1.ListTrialsResponse;
import dev.arbiter.proto.v1.MutinyOptimizerServiceGrpc;
import dev.arbiter.proto.v1.PromoteParametersRequest;
import dev.arbiter.proto.v1.PromoteParametersResponse;
import dev.arbiter.proto.v1.ReadHistoryRequest;
import dev.arbiter.proto.v1.ReadHistoryResponse;
import dev.arbiter.proto.v1.ReportIntermediateRequest;
import dev.arbiter.proto.v1.ReportIntermediateResponse;
import dev.arbiter.proto.v1.ReportKind;
import dev.arbiter.proto.v1.ReportSummary;
import dev.arbiter.proto.v1.RetrainRequest;
import dev.arbiter.proto.v1.RetrainUpdate;
import dev.arbiter.proto.v1.Retraining;
import dev.arbiter.proto.v1.RetrainingTrigger;
import dev.arbiter.proto.v1.RunBacktestRequest;
import dev.arbiter.proto.v1.RunStressTestRequest;
import dev.arbiter.proto.v1.RunTrainingRequest;
import dev.arbiter.proto.v1.RunTrialsRequest;
import dev.arbiter.proto.v1.StressReport;
import dev.arbiter.proto.v1.Study;
import dev.arbiter.proto.v1.TellRequest;
import dev.arbiter.proto.v1.TrainingJob;
import dev.arbiter.proto.v1.TrainingProgress;
import dev.arbiter.proto.v1.TrainingUpdate;
import dev.arbiter.proto.v1.Trial;
import dev.arbiter.service.PageTokens;
import dev.arbiter.service.RequestRefused;
import dev.arbiter.service.Utf8Guard;
import io.grpc.ServerServiceDefinition;
import io.quarkus.grpc.GrpcService;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.inject.Inject;
import java.util.List;
import java.util.function.Supplier;

/**
 * The OptimizerService gRPC adapter: maps proto ⇄ domain and RequestRefused ⇄ status, nothing else. RPCs not
 * overridden here answer UNIMPLEMENTED (the generated base class). Everything here touches files or PostgreSQL, so it
 * runs on worker threads.
 */
@GrpcService
public class OptimizerGrpcService extends MutinyOptimizerServiceGrpc.OptimizerServiceImplBase {

    private final OptimizerConfig config;
    private final HistoryStore history;
    /** Training jobs (dev.arbiter.optimizer.training); injected into the field so the constructor stays history's. */
    @Inject
    TrainingJobs training;

    public OptimizerGrpcService(OptimizerConfig config, HistoryStore history) {
        this.config = config;
        this.history = history;
    }

    static <T> Uni<T> call(Supplier<T> work) {
        try {
            return Uni.createFrom().item(work.get());
        } catch (RequestRefused e) {
            return Uni.createFrom().failure(e.asStatus());
        }
    }

    static Throwable status(Throwable t) {
        return t instanceof RequestRefused e ? e.asStatus() : t;
    }

    // ---- history ----------------------------------------------------------------------------------

    /** Every request checked for invalid UTF-8 before it is parsed into a message ({@link Utf8Guard}). */
    @Override
    public ServerServiceDefinition bindService() {
        return Utf8Guard.guard(super.bindService());
    }

    @Override
    public Uni<ImportHistoryResponse> importHistory(Multi<ImportHistoryRequest> request) {
        // Parsing happens chunk by chunk on a worker thread, in order; the event loop only hands bytes over.
        return request.emitOn(Infrastructure.getDefaultWorkerPool())
                .collect().in(() -> new ImportAssembler(history, config.history().maxChunkBytes()), ImportAssembler::accept)
                .map(a -> HistoryProtoMapper.importResult(a.finish()))
                .onFailure().transform(OptimizerGrpcService::status);
    }

    @Override
    @Blocking
    public Uni<ListHistoryResponse> listHistory(ListHistoryRequest request) {
        return call(() -> {
            int size = PageTokens.size(request.getPageSize(), config.paging().defaultPageSize(), config.paging().maxPageSize());
            List<HistorySeries> page = history.list(PageTokens.after(request.getPageToken(), "history"), size + 1);
            ListHistoryResponse.Builder b = ListHistoryResponse.newBuilder();
            page.stream().limit(size).forEach(s -> b.addSeries(HistoryProtoMapper.series(s)));
            if (page.size() > size) {
                b.setNextPageToken(PageTokens.next("history", page.get(size - 1).seriesId()));
            }
            return b.build();
        });
    }

    @Override
    public Multi<ReadHistoryResponse> readHistory(ReadHistoryRequest request) {
        int batch = config.history().readBatchRows();
        return Uni.createFrom().item(() -> history.read(request.getSeriesId(), request.getRange().getStartTsMicros(),
                        request.getRange().getEndTsMicros(), request.getMaxRows()))
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
                .onItem().transformToMulti(h -> Multi.createFrom().range(0, (h.size() + batch - 1) / batch)
                        .map(k -> HistoryProtoMapper.batch(h, k * batch, Math.min(h.size(), (k + 1) * batch))))
                .onFailure().transform(OptimizerGrpcService::status);
    }

    // ---- training (TrainingJobs) ------------------------------------------------------------------

    @Override
    public Multi<TrainingUpdate> runTraining(RunTrainingRequest request) {
        return Multi.createFrom().<TrainingUpdate>emitter(emitter -> {
            try {
                if (!request.hasSpec()) {
                    throw RequestRefused.invalid("spec", "spec is missing; send a TrainingSpec");
                }
                training.start(request.getSpec(), new TrainingStream(emitter));
            } catch (RequestRefused e) {
                emitter.fail(e.asStatus());
            }
        }).runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
    }

    @Override
    @Blocking
    public Uni<TrainingJob> getTrainingJob(GetTrainingJobRequest request) {
        return call(() -> training.get(request.getJobId()));
    }

    @Override
    @Blocking
    public Uni<ListTrainingJobsResponse> listTrainingJobs(ListTrainingJobsRequest request) {
        return call(() -> {
            int size = PageTokens.size(request.getPageSize(), config.paging().defaultPageSize(), config.paging().maxPageSize());
            List<TrainingJob> page = training.list(request.getState(), request.getModelName(),
                    PageTokens.after(request.getPageToken(), "jobs"), size + 1);
            ListTrainingJobsResponse.Builder b = ListTrainingJobsResponse.newBuilder();
            page.stream().limit(size).forEach(b::addJobs);
            if (page.size() > size) {
                b.setNextPageToken(PageTokens.next("jobs", TrainingJobs.pageKey(page.get(size - 1))));
            }
            return b.build();
        });
    }

    @Override
    @Blocking
    public Uni<TrainingJob> cancelTrainingJob(CancelTrainingJobRequest request) {
        return call(() -> training.cancel(request.getJobId()));
    }

    // ---- retraining (dev.arbiter.optimizer.retraining) ---------------------------------------------

    @Inject
    Retrainings retrainings;

    @Override
    public Multi<RetrainUpdate> retrain(RetrainRequest request) {
        return Multi.createFrom().<RetrainUpdate>emitter(emitter -> {
            try {
                retrainings.start(request, RetrainingTrigger.RETRAINING_TRIGGER_MANUAL, null, new Retrainings.Listener() {
                    @Override
                    public void started(Retraining r) {
                        emitter.emit(RetrainUpdate.newBuilder().setStarted(r).build());
                    }

                    @Override
                    public void progress(TrainingProgress p) {
                        if (!emitter.isCancelled()) {
                            emitter.emit(RetrainUpdate.newBuilder().setProgress(p).build());
                        }
                    }

                    @Override
                    public void trained(Retraining r) {
                        if (!emitter.isCancelled()) {
                            emitter.emit(RetrainUpdate.newBuilder().setTrained(r).build());
                            emitter.complete();
                        }
                    }
                });
            } catch (RequestRefused e) {
                emitter.fail(e.asStatus());
            }
        }).runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
    }

    @Override
    @Blocking
    public Uni<ListRetrainingsResponse> listRetrainings(ListRetrainingsRequest request) {
        return call(() -> {
            int size = PageTokens.size(request.getPageSize(), config.paging().defaultPageSize(), config.paging().maxPageSize());
            List<Retraining> page = retrainings.list(request.getModelName(), request.getPageToken(), size + 1);
            ListRetrainingsResponse.Builder b = ListRetrainingsResponse.newBuilder();
            page.stream().limit(size).forEach(b::addRetrainings);
            if (page.size() > size) {
                b.setNextPageToken(PageTokens.next("retrainings", Long.toString(page.get(size - 1).getRetrainingId())));
            }
            return b.build();
        });
    }

    // ---- backtests and stress tests (dev.arbiter.optimizer.backtest) ------------------------------

    @Inject
    BacktestService backtests;
    @Inject
    StressService stress;
    @Inject
    ReportStore reports;

    @Override
    public Multi<BacktestUpdate> runBacktest(RunBacktestRequest request) {
        return Multi.createFrom().<BacktestUpdate>emitter(emitter -> {
            try {
                if (!request.hasSpec()) {
                    throw RequestRefused.invalid("spec", "spec is missing; send a BacktestSpec");
                }
                backtests.run(request.getSpec(), emitter::emit);
                emitter.complete();
            } catch (RequestRefused e) {
                emitter.fail(e.asStatus());
            } catch (RuntimeException e) {
                emitter.fail(io.grpc.Status.INTERNAL.withDescription("the backtest failed: " + e).asRuntimeException());
            }
        }).runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
    }

    @Override
    @Blocking
    public Uni<StressReport> runStressTest(RunStressTestRequest request) {
        return call(() -> stress.run(request));
    }

    @Override
    @Blocking
    public Uni<BacktestReport> getBacktestReport(GetBacktestReportRequest request) {
        return call(() -> reports.backtest(reportId(request.getReportId())).orElseThrow(() -> RequestRefused.notFound("report_id",
                "report_id \"" + request.getReportId() + "\" names no backtest report; list them with ListReports")));
    }

    @Override
    @Blocking
    public Uni<StressReport> getStressReport(GetStressReportRequest request) {
        return call(() -> reports.stress(reportId(request.getReportId())).orElseThrow(() -> RequestRefused.notFound("report_id",
                "report_id \"" + request.getReportId() + "\" names no stress report; list them with ListReports")));
    }

    private static String reportId(String id) {
        if (id.isBlank()) {
            throw RequestRefused.invalid("report_id", "report_id is empty; send the id RunBacktest or RunStressTest"
                    + " answered (ListReports lists them)");
        }
        return id;
    }

    @Override
    @Blocking
    public Uni<ListReportsResponse> listReports(ListReportsRequest request) {
        return call(() -> {
            int size = PageTokens.size(request.getPageSize(), config.paging().defaultPageSize(), config.paging().maxPageSize());
            String after = PageTokens.after(request.getPageToken(), "reports");
            long beforeCreated = Long.MAX_VALUE;
            String beforeId = "";
            if (!after.isEmpty()) {
                int colon = after.indexOf(':');
                try {
                    beforeCreated = Long.parseLong(after.substring(0, colon));
                    beforeId = after.substring(colon + 1);
                } catch (RuntimeException e) {
                    throw PageTokens.notIssued();
                }
            } else {
                beforeId = "\uffff";
            }
            String kind = switch (request.getKind()) {
                case REPORT_KIND_BACKTEST -> "BACKTEST";
                case REPORT_KIND_STRESS -> "STRESS";
                case REPORT_KIND_UNSPECIFIED -> null;
                case UNRECOGNIZED -> throw RequestRefused.invalid("kind", "kind is the unknown value "
                        + request.getKindValue() + "; send REPORT_KIND_BACKTEST, REPORT_KIND_STRESS or leave it unset for both");
            };
            List<ReportEntity> page = reports.list(kind, request.getStudyName(), beforeCreated, beforeId, size + 1);
            ListReportsResponse.Builder b = ListReportsResponse.newBuilder();
            page.stream().limit(size).forEach(e -> b.addReports(summary(e)));
            if (page.size() > size) {
                ReportEntity last = page.get(size - 1);
                b.setNextPageToken(PageTokens.next("reports", last.createdTsMicros + ":" + last.reportId));
            }
            return b.build();
        });
    }

    private ReportSummary summary(ReportEntity e) {
        ReportSummary.Builder b = ReportSummary.newBuilder()
                .setReportId(e.reportId)
                .setKind(e.kind.equals("BACKTEST") ? ReportKind.REPORT_KIND_BACKTEST : ReportKind.REPORT_KIND_STRESS)
                .setName(e.name)
                .setCreatedTsMicros(e.createdTsMicros)
                .setBacktestReportId(e.backtestReportId);
        String backtestId = e.kind.equals("BACKTEST") ? e.reportId : e.backtestReportId;
        reports.backtest(backtestId).ifPresent(r -> b.setTotal(r.getTotal()));
        return b.build();
    }
    // ---- studies (dev.arbiter.optimizer.study) --------------------------------------------------------

    @Inject
    StudyService studies;

    @Override
    @Blocking
    public Uni<Study> createStudy(CreateStudyRequest request) {
        return call(() -> studies.create(request));
    }

    @Override
    @Blocking
    public Uni<Study> getStudy(GetStudyRequest request) {
        return call(() -> studies.get(request.getStudyName()));
    }

    @Override
    @Blocking
    public Uni<ListStudiesResponse> listStudies(ListStudiesRequest request) {
        return call(() -> {
            int size = PageTokens.size(request.getPageSize(), config.paging().defaultPageSize(), config.paging().maxPageSize());
            long before = PageTokens.afterNumber(request.getPageToken(), "studies", 0);
            List<Long> ids = new java.util.ArrayList<>();
            List<Study> page = studies.list(before, size + 1, ids);
            ListStudiesResponse.Builder b = ListStudiesResponse.newBuilder();
            page.stream().limit(size).forEach(b::addStudies);
            if (page.size() > size) {
                b.setNextPageToken(PageTokens.next("studies", Long.toString(ids.get(size - 1))));
            }
            return b.build();
        });
    }

    @Override
    @Blocking
    public Uni<Trial> ask(AskRequest request) {
        return call(() -> studies.ask(request.getStudyName()));
    }

    @Override
    @Blocking
    public Uni<Trial> tell(TellRequest request) {
        return call(() -> studies.tell(request));
    }

    @Override
    @Blocking
    public Uni<ReportIntermediateResponse> reportIntermediate(ReportIntermediateRequest request) {
        return call(() -> ReportIntermediateResponse.newBuilder().setShouldPrune(studies.reportIntermediate(request)).build());
    }

    @Override
    @Blocking
    public Uni<ListTrialsResponse> listTrials(ListTrialsRequest request) {
        return call(() -> {
            int size = PageTokens.size(request.getPageSize(), config.paging().defaultPageSize(), config.paging().maxPageSize());
            int after = (int) PageTokens.afterNumber(request.getPageToken(), "trials", -1);
            List<Trial> page = studies.listTrials(request.getStudyName(), request.getState(), after, size + 1);
            ListTrialsResponse.Builder b = ListTrialsResponse.newBuilder();
            page.stream().limit(size).forEach(b::addTrials);
            if (page.size() > size) {
                b.setNextPageToken(PageTokens.next("trials", Integer.toString(page.get(size - 1).getNumber())));
            }
            return b.build();
        });
    }

    @Override
    @Blocking
    public Uni<GetBestTrialsResponse> getBestTrials(GetBestTrialsRequest request) {
        return call(() -> GetBestTrialsResponse.newBuilder().addAllBestTrials(studies.best(request.getStudyName())).build());
    }
    @Inject
    TrialRunner trialRunner;

    @Override
    public Multi<Trial> runTrials(RunTrialsRequest request) {
        return Multi.createFrom().<Trial>emitter(emitter -> {
            java.util.concurrent.atomic.AtomicBoolean cancelled = new java.util.concurrent.atomic.AtomicBoolean();
            emitter.onTermination(() -> cancelled.set(true));
            try {
                trialRunner.run(request, emitter::emit, cancelled::get);
                emitter.complete();
            } catch (RequestRefused e) {
                emitter.fail(e.asStatus());
            } catch (RuntimeException e) {
                emitter.fail(io.grpc.Status.INTERNAL.withDescription("running the trials failed: " + e).asRuntimeException());
            }
        }).runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
    }

    // ---- promotion --------------------------------------------------------------------------------

    @Inject
    ParameterPromotion promotion;

    @Override
    @Blocking
    public Uni<PromoteParametersResponse> promoteParameters(PromoteParametersRequest request) {
        return call(() -> promotion.promote(request));
    }
}
