package dev.arbiter.cli.history;

import com.google.protobuf.ByteString;
import dev.arbiter.cli.CliCommand;
import dev.arbiter.cli.client.OutboundStream;
import dev.arbiter.cli.client.Service;
import dev.arbiter.cli.client.ServiceError;
import dev.arbiter.cli.client.Services;
import dev.arbiter.cli.client.UsageError;
import dev.arbiter.cli.csv.CsvOptions;
import dev.arbiter.cli.csv.Input;
import dev.arbiter.cli.output.Fmt;
import dev.arbiter.cli.output.Progress;
import dev.arbiter.cli.output.Table;
import dev.arbiter.proto.v1.ImportHistoryRequest;
import dev.arbiter.proto.v1.ImportHistoryResponse;
import dev.arbiter.proto.v1.ImportHistorySpec;
import dev.arbiter.proto.v1.OptimizerServiceGrpc;
import dev.arbiter.proto.v1.ReadHistoryRequest;
import dev.arbiter.proto.v1.ReadHistoryResponse;
import io.grpc.Status;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.Iterator;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code arbiter history import}: streams a CSV to ImportHistory in chunks, then lists the rows it rejected. */
@Command(name = "import", mixinStandardHelpOptions = true, abbreviateSynopsis = true,
        header = "Import a CSV into a series' history.", sortOptions = false,
        description = {"The file is streamed in chunks to optimizer-service, which parses it as it arrives, skips bad rows "
                + "and lists them by cause with their first line numbers. A series that already holds history takes "
                + "more rows only with --append (or is replaced with --replace).",
                "Example: arbiter history import demand.csv --series demand --time-col datetime_local "
                        + "--value-col demand_mw --time-zone Europe/London"})
public class HistoryImportCommand extends CliCommand {

    /** ImportHistory takes at most 1 MiB per chunk; a quarter keeps progress smooth. */
    static final int CHUNK_BYTES = 256 * 1024;

    @Parameters(index = "0", paramLabel = "FILE", description = "The CSV file, or - for standard input.")
    String file;

    @Option(names = "--series", required = true, paramLabel = "ID", description = "The series the rows belong to.")
    String series;

    @Mixin
    CsvOptions csv;

    @Option(names = "--replace", description = "Replace the series' stored history.")
    boolean replace;

    @Option(names = "--append", description = "Add the rows to a series that already holds history (rows at times "
            + "already stored are rejected). Without --append or --replace, an import into an existing series is refused.")
    boolean append;

    /** The spec the stream starts with. */
    ImportHistorySpec spec(long sizeBytes) {
        return ImportHistorySpec.newBuilder()
                .setSeriesId(series)
                .setColumns(csv.toMapping())
                .setHasHeader(!csv.noHeader)
                .setDelimiter(String.valueOf(csv.delimiterChar()))
                .setReplaceExisting(replace)
                .setAppend(append)
                .setSizeBytes(Math.max(sizeBytes, 0))
                .build();
    }

    @Override
    public Integer call() throws IOException {
        if (replace && append) {
            throw new UsageError("--replace and --append both given; give --replace to replace the series' history or "
                    + "--append to add to it");
        }
        if (!replace && !append) {
            firstStored().ifPresent(ts -> {
                throw new UsageError("series " + series + " already holds history (from " + Fmt.time(ts) + "); add --append "
                        + "to add these rows to it (rows at times already stored are rejected), --replace to replace it, "
                        + "or import under another --series");
            });
        }
        ImportHistoryResponse answer;
        try (Input in = Input.open(file, root().stdin())) {
            answer = send(services(), spec(in.size), in, progress("import " + series));
        }
        print(answer, out());
        return 0;
    }

    /** The first stored time of the series, or empty when nothing is stored under its id. */
    private Optional<Long> firstStored() {
        try {
            return optimizer(s -> {
                Optional<Long> first = Optional.empty();
                Iterator<ReadHistoryResponse> batches = s.readHistory(
                        ReadHistoryRequest.newBuilder().setSeriesId(series).setMaxRows(1).build());
                while (batches.hasNext()) {
                    ReadHistoryResponse b = batches.next();
                    if (first.isEmpty() && b.getObservationsCount() > 0) {
                        first = Optional.of(b.getObservations(0).getTsMicros());
                    }
                }
                return first;
            });
        } catch (ServiceError e) {
            if (e.status.getCode() == Status.Code.NOT_FOUND) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /** Streams {@code in} to ImportHistory in chunks under {@code spec}, with progress, and returns the answer. */
    public static ImportHistoryResponse send(Services services, ImportHistorySpec spec, Input in, Progress progress)
            throws IOException {
        AtomicReference<ImportHistoryResponse> answer = new AtomicReference<>();
        OutboundStream<ImportHistoryRequest, ImportHistoryResponse> stream =
                new OutboundStream<>(services, Service.OPTIMIZER, answer::set);
        services.streaming(Service.OPTIMIZER, OptimizerServiceGrpc::newStub).importHistory(stream);
        try {
            stream.send(ImportHistoryRequest.newBuilder().setSpec(spec).build());
            byte[] buffer = new byte[CHUNK_BYTES];
            int n;
            while ((n = in.readNBytes(buffer, 0, buffer.length)) > 0) {
                stream.send(ImportHistoryRequest.newBuilder().setChunk(ByteString.copyFrom(buffer, 0, n)).build());
                progress.update(in.fraction(), "sending", Fmt.bytes(in.bytesRead()) + (in.size > 0 ? " of " + Fmt.bytes(in.size) : ""));
            }
            progress.update(in.fraction(), "sent " + Fmt.bytes(in.bytesRead()) + "; optimizer-service stores the rows", "");
            stream.finish();
        } catch (IOException | RuntimeException e) {
            stream.cancel("the CLI stopped: " + e.getMessage(), e);
            progress.abandon();
            throw e;
        }
        progress.finish("stored");
        return answer.get();
    }

    public static void print(ImportHistoryResponse r, PrintWriter out) {
        out.println("imported " + Fmt.count(r.getRowsImported()) + " of " + Fmt.count(r.getRowsRead()) + " rows into "
                + r.getSeriesId() + (r.getRowsImported() > 0 ? " (" + Fmt.time(r.getRange().getStartTsMicros()) + " .. "
                + Fmt.time(r.getRange().getEndTsMicros() - 1) + ")" : "") + "; " + Fmt.count(r.getRowsRejected())
                + " rejected; the series now holds " + Fmt.count(r.getSeriesRowCount()) + " rows");
        if (r.getRowsRejected() > 0) {
            out.println();
            out.println(r.getRejectedRowsCount() < r.getRowsRejected()
                    ? "rejected rows by cause (the service lists the first " + r.getRejectedRowsCount() + " of "
                            + Fmt.count(r.getRowsRejected()) + "):"
                    : "rejected rows by cause:");
            Table t = new Table().left("lines").right("rows").left("column").left("reason (of the first)");
            for (RejectCause c : RejectCause.group(r.getRejectedRowsList())) {
                t.row(c.firstLines(), Fmt.count(c.rows()), c.column().isEmpty() ? "-" : c.column(), c.firstReason());
            }
            t.print(out);
        }
        out.flush();
    }
}
