package dev.arbiter.cli;

import io.grpc.BindableService;
import io.grpc.Server;
import io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/** Stand-in services on a free loopback port, for commands whose service is not the point of the test. */
public final class FakeServer implements AutoCloseable {

    private final Server server;

    public FakeServer(BindableService... services) {
        NettyServerBuilder b = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0));
        for (BindableService s : services) {
            b.addService(s);
        }
        try {
            server = b.build().start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** host:port to pass to --decisions, --features ... */
    public String address() {
        return "127.0.0.1:" + server.getPort();
    }

    @Override
    public void close() throws InterruptedException {
        server.shutdownNow();
        server.awaitTermination(5, TimeUnit.SECONDS);
    }
}
