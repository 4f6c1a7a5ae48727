package dev.arbiter.service.replicas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReplicaSourceTest {

    @Test
    void aListIsSortedWithoutRepeats() {
        assertEquals(List.of("127.0.0.1:9101", "127.0.0.1:9111"),
                ReplicaSource.parse("127.0.0.1:9111, 127.0.0.1:9101,127.0.0.1:9111").members());
    }

    @Test
    void dnsGivesEveryAddressAtThePort() {
        assertEquals(List.of("127.0.0.1:9101"), ReplicaSource.parse("dns:///127.0.0.1:9101").members());
    }

    @Test
    void aFileIsReadAgainAtEveryRefresh(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("members");
        Files.writeString(f, "# replicas\n127.0.0.1:9101\n\n127.0.0.1:9111\n");
        try (Replicas r = new Replicas("feature-service", ReplicaSource.parse("file:" + f), Duration.ofHours(1))) {
            assertEquals(List.of("127.0.0.1:9101", "127.0.0.1:9111"), r.members());
            Files.writeString(f, "127.0.0.1:9111\n");
            assertTrue(r.refresh());
            assertEquals(List.of("127.0.0.1:9111"), r.members());
            // an empty or broken list keeps the last members
            Files.writeString(f, "");
            assertEquals(false, r.refresh());
            Files.writeString(f, "not-a-member\n");
            assertEquals(false, r.refresh());
            Files.delete(f);
            assertEquals(false, r.refresh());
            assertEquals(List.of("127.0.0.1:9111"), r.members());
        }
    }

    @Test
    void badSourcesAreRefusedNamingWhatIsWrong() {
        for (String bad : new String[] {"", "host", "host:0", "host:70000", "host:x", "dns:///host", "file:", "a:1,b"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ReplicaSource.parse(bad), bad);
            assertTrue(e.getMessage().contains("replica source"), e.getMessage());
        }
    }

    @Test
    void aSourceThatListsNoMemberAtStartIsRefused(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("members");
        Files.writeString(f, "# none yet\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Replicas("model-service", ReplicaSource.parse("file:" + f), Duration.ofSeconds(1)));
        assertTrue(e.getMessage().contains("lists no member"), e.getMessage());
    }
}
