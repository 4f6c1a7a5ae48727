package dev.arbiter.decision.testing;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The application with its JDBC connections going through a {@link TcpProxy} the test can cut, so PostgreSQL can
 * become unreachable for the service while it runs (the test itself still reaches PostgreSQL directly).
 */
public class DatabaseProxyProfile implements QuarkusTestProfile {

    public static volatile TcpProxy proxy;

    @Override
    public List<TestResourceEntry> testResources() {
        return List.of(new TestResourceEntry(Resource.class));
    }

    public static class Resource implements QuarkusTestResourceLifecycleManager {

        @Override
        public Map<String, String> start() {
            proxy = new TcpProxy(5432);
            return Map.of(
                    "quarkus.datasource.jdbc.url", "jdbc:postgresql://127.0.0.1:" + proxy.port() + "/arbiter_test",
                    "quarkus.datasource.jdbc.acquisition-timeout", "2s",
                    "arbiter.decision.log.spool-dir", "target/decision-spool-proxy-test",
                    "arbiter.decision.log.retry-interval", "200ms",
                    "arbiter.decision.redis-prefix", "arbiter-test:decision:" + UUID.randomUUID() + ":");
        }

        @Override
        public void stop() {
            proxy.close();
        }
    }
}
