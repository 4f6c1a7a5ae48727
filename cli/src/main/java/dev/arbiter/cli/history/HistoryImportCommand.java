package dev.arbiter.cli.history;

import com.google.protobuf.ByteString;
import dev.arbiter.cli.CliCommand;
import dev.arbiter.cli.client.OutboundStream;
import dev.arbiter.cli.client.Service;
import dev.arbiter.cli.client.Services;
import dev.arbiter.cli.csv.CsvOptions;
import dev.arbiter.cli.csv.Input;
import dev.arbiter.cli.output.Fmt;
import dev.arbiter.cli.output.Progress;
import dev.arbiter.cli.output.Table;
import dev.arbiter.proto.v1.ImportHistoryRequest;
import dev.arbiter.proto.v1.ImportHistoryResponse;
import dev.arbiter.proto.v1.ImportHistorySpec;
import dev.arbiter.proto.v1.OptimizerServiceGrpc;
import dev.arbiter.proto.v1.RejectedRow;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code arbiter history import}: streams a CSV to ImportHistory in chunks, then lists the rows it rejected. */
@Command(name = "import", mixinStandardHelpOptions = true, abbreviateSynopsis = true,
        header = "Import a CSV into a series' history.", sortOptions = false,
        description = {"The file is streamed in chunks to optimizer-service, which parses it as it arrives, skips bad rows "
                + "and lists them with their line numbers.",
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

    @Option(names = "--replace", description = "Replace the series' stored history instead of merging into it "
            + "(merging rejects rows at times already stored).")
    boolean replace;

    /** The spec the stream starts with. */
    ImportHistorySpec spec(long sizeBytes) {
        return ImportHistorySpec.newBuilder()
                .setSeriesId(series)
                .setColumns(csv.toMapping())
                .setHasHeader(!csv.noHeader)
                .setDelimiter(String.valueOf(csv.delimiterChar()))
                .setReplaceExisting(replace)
                .setSizeBytes(Math.max(sizeBytes, 0))
                .build();
    }

    @Override
    public Integer call() throws IOException {
        ImportHistoryResponse answer;
        try (Input in = Input.open(file, root().stdin())) {
            answer = send(services(), spec(in.size), in, progress("import " + series));
        }
        print(answer, out());
        return 0;
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
                    ? "rejected rows (the service lists the first " + r.getRejectedRowsCount() + " of "
                            + Fmt.count(r.getRowsRejected()) + "):"
                    : "rejected rows:");
            Table t = new Table().right("line").left("column").left("reason");
            for (RejectedRow row : r.getRejectedRowsList()) {
                t.row(row.getLineNumber(), row.getColumn().isEmpty() ? "-" : row.getColumn(), row.getReason());
            }
            t.print(out);
        }
        out.flush();
    }
}
