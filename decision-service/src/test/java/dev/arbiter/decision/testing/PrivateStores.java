package dev.arbiter.decision.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A PostgreSQL cluster and a Redis server of a test's own, on ports of their own, so a chaos test can restart them
 * (crash-restart PostgreSQL, kill Redis and start an empty one) without touching the machine's shared ones.
 * PostgreSQL runs as the system user postgres (initdb refuses root) from the machine's installation.
 */
public final class PrivateStores implements AutoCloseable {

    public final int postgresPort;
    public final int redisPort;
    private final Path pgData;
    private final Path dir;
    private Process redis;

    private PrivateStores(Path dir, int postgresPort, int redisPort) {
        this.dir = dir;
        this.postgresPort = postgresPort;
        this.redisPort = redisPort;
        this.pgData = dir.resolve("pgdata");
    }

    /** initdb, start, create database {@code database}; start Redis with no persistence. */
    public static PrivateStores start(Path dir, int postgresPort, int redisPort, String database) throws Exception {
        Files.createDirectories(dir);
        PrivateStores s = new PrivateStores(dir.toAbsolutePath(), postgresPort, redisPort);
        run("chown", "postgres", s.dir.toString());
        s.asPostgres(pgBin("initdb"), "-D", s.pgData.toString(), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync");
        s.startPostgres();
        try (Connection c = DriverManager.getConnection(s.jdbc("postgres"), "postgres", "")) {
            c.createStatement().execute("CREATE DATABASE " + database);
        }
        s.startRedis();
        return s;
    }

    public String jdbc(String database) {
        return "jdbc:postgresql://127.0.0.1:" + postgresPort + "/" + database;
    }

    /** PostgreSQL stopped as in a crash (immediate: no checkpoint, recovery at start) and started again. */
    public void restartPostgres() throws Exception {
        asPostgres(pgBin("pg_ctl"), "-D", pgData.toString(), "-m", "immediate", "-w", "stop");
        startPostgres();
    }

    /** Redis killed (SIGKILL) and an empty one started on the same port: everything it held is gone. */
    public void restartRedis() throws Exception {
        redis.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        startRedis();
    }

    private void startPostgres() throws Exception {
        asPostgres(pgBin("pg_ctl"), "-D", pgData.toString(), "-l", pgData.resolve("../postgres.log").normalize().toString(),
                "-o", "-p " + postgresPort + " -k /tmp -c listen_addresses=127.0.0.1 -c max_connections=200 -c fsync=on", "-w", "start");
    }

    private void startRedis() throws Exception {
        redis = new ProcessBuilder("redis-server", "--port", Integer.toString(redisPort), "--bind", "127.0.0.1", "--save", "",
                "--appendonly", "no", "--dir", dir.toString())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("redis.log").toFile())).start();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < end) {
            if (new ProcessBuilder("redis-cli", "-p", Integer.toString(redisPort), "ping").start().waitFor() == 0) {
                return;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50)); // a poll of another process
        }
        throw new IllegalStateException("the private Redis on port " + redisPort + " did not answer within 10 s");
    }

    private static String pgBin(String tool) throws IOException {
        try (var versions = Files.list(Path.of("/usr/lib/postgresql"))) {
            return versions.sorted().reduce((a, b) -> b).orElseThrow().resolve("bin").resolve(tool).toString();
        }
    }

    private void asPostgres(String... command) throws Exception {
        List<String> c = new ArrayList<>(List.of("runuser", "-u", "postgres", "--"));
        c.addAll(List.of(command));
        run(c.toArray(String[]::new));
    }

    private static void run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed: " + out);
        }
    }

    @Override
    public void close() {
        try {
            asPostgres(pgBin("pg_ctl"), "-D", pgData.toString(), "-m", "immediate", "stop");
        } catch (Exception e) {
            // already stopped
        }
        if (redis != null) {
            redis.destroyForcibly();
        }
    }

    /** Whether PostgreSQL answers now. */
    public boolean postgresUp() {
        try (Connection c = DriverManager.getConnection(jdbc("postgres"), "postgres", "")) {
            return c.isValid(2);
        } catch (SQLException e) {
            return false;
        }
    }
}
