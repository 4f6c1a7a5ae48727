package dev.arbiter.decision.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A loopback TCP proxy in front of a real service (PostgreSQL, feature-service, model-service) that a test can cut and
 * restore, or point at another replica: {@link #cut()} closes the listening socket (new connections are refused) and
 * resets every open connection, as a service that went away; {@link #restore()} listens again on the same port;
 * {@link #retarget} sends new connections elsewhere; {@link #partition()} holds every byte until {@link #heal()}. Both
 * legs send without delay (TCP_NODELAY), so the proxy adds no Nagle wait to small gRPC frames.
 */
public final class TcpProxy implements AutoCloseable {

    private volatile int targetPort;
    private final int port;
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private volatile ServerSocket server;
    /** While set, bytes are held in both directions (connections stay open): a network partition. */
    private final Object partition = new Object();
    private volatile boolean partitioned;

    public TcpProxy(int targetPort) {
        this.targetPort = targetPort;
        // Bound where it is picked (port 0): a port found free and bound later can be taken in between.
        ServerSocket first = listen(0);
        this.port = first.getLocalPort();
        serve(first);
    }

    public int port() {
        return port;
    }

    /**
     * New connections go to {@code port} from now on; open ones stay where they are (as a Kubernetes Service's
     * connection tracking keeps an open connection on the pod it chose).
     */
    public void retarget(int port) {
        targetPort = port;
    }

    /** Where new connections go. */
    public int target() {
        return targetPort;
    }

    /**
     * A network partition: every connection, open or new, stays up but no byte crosses in either direction until
     * {@link #heal()}, as when packets are dropped (the peers see silence, not a reset).
     */
    public void partition() {
        partitioned = true;
    }

    /** Ends {@link #partition()}: the held bytes cross, in order, and traffic flows again. */
    public void heal() {
        synchronized (partition) {
            partitioned = false;
            partition.notifyAll();
        }
    }

    /** Listens again on the same port after {@link #cut()}. */
    public synchronized void restore() {
        if (server == null) {
            serve(listen(port));
        }
    }

    private static ServerSocket listen(int port) {
        try {
            ServerSocket s = new ServerSocket();
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            return s;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void serve(ServerSocket s) {
        server = s;
        Thread accept = new Thread(() -> accept(s), "tcp-proxy-accept");
        accept.setDaemon(true);
        accept.start();
    }

    public synchronized void cut() {
        ServerSocket s = server;
        server = null;
        if (s != null) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
        for (Socket socket : sockets) {
            try {
                socket.setSoLinger(true, 0); // RST, as a vanished peer
                socket.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
        sockets.clear();
    }

    private void accept(ServerSocket s) {
        while (!s.isClosed()) {
            Socket client;
            try {
                client = s.accept();
            } catch (IOException e) {
                continue; // closed by cut()
            }
            try {
                Socket upstream = new Socket(InetAddress.getLoopbackAddress(), targetPort);
                client.setTcpNoDelay(true);
                upstream.setTcpNoDelay(true);
                synchronized (this) {
                    // A connection accepted just before cut() must not outlive it: cut() cleared the sockets already.
                    if (server != s) {
                        upstream.setSoLinger(true, 0);
                        upstream.close();
                        client.setSoLinger(true, 0);
                        client.close();
                        continue;
                    }
                    sockets.add(client);
                    sockets.add(upstream);
                }
                pipe(client, upstream);
                pipe(upstream, client);
            } catch (IOException e) {
                try {
                    client.close(); // the target refused: the client sees its connection fail
                } catch (IOException ignored) {
                    // closing anyway
                }
            }
        }
    }

    private void pipe(Socket from, Socket to) {
        Thread t = new Thread(() -> {
            byte[] buffer = new byte[16384];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    awaitHealed();
                    out.write(buffer, 0, n);
                    out.flush();
                }
            } catch (IOException ignored) {
                // one side went away
            } finally {
                try {
                    from.close();
                    to.close();
                } catch (IOException ignored) {
                    // closing anyway
                }
                sockets.remove(from);
                sockets.remove(to);
            }
        }, "tcp-proxy-pipe");
        t.setDaemon(true);
        t.start();
    }

    private void awaitHealed() throws IOException {
        synchronized (partition) {
            while (partitioned) {
                try {
                    partition.wait(); // until heal()
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted while partitioned", e);
                }
            }
        }
    }

    @Override
    public void close() {
        heal();
        cut();
    }
}
