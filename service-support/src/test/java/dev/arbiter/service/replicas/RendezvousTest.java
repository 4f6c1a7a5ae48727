package dev.arbiter.service.replicas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RendezvousTest {

    static final List<String> THREE = List.of("10.0.0.1:9101", "10.0.0.2:9101", "10.0.0.3:9101");

    static List<String> keys(int n) {
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            keys.add("series-" + i);
        }
        return keys;
    }

    @Test
    void whenAMemberLeavesOnlyItsKeysMove() {
        List<String> two = List.of(THREE.get(0), THREE.get(2));
        int moved = 0;
        for (String k : keys(10_000)) {
            String before = Rendezvous.owner(k, THREE);
            String after = Rendezvous.owner(k, two);
            if (!before.equals(after)) {
                assertEquals(THREE.get(1), before, k + " moved although its owner stayed");
                moved++;
            }
        }
        // the leaving member's share, about a third
        assertTrue(moved > 3_000 && moved < 3_700, "moved " + moved);
    }

    @Test
    void aJoiningMemberTakesAboutItsShareAndOnlyForItself() {
        List<String> four = new ArrayList<>(THREE);
        four.add("10.0.0.4:9101");
        int taken = 0;
        for (String k : keys(10_000)) {
            String before = Rendezvous.owner(k, THREE);
            String after = Rendezvous.owner(k, four);
            if (!before.equals(after)) {
                assertEquals("10.0.0.4:9101", after);
                taken++;
            }
        }
        assertTrue(taken > 2_200 && taken < 2_800, "taken " + taken);
    }

    @Test
    void ownersAreSpreadEvenlyAndDoNotDependOnTheListsOrder() {
        Map<String, Integer> counts = new HashMap<>();
        List<String> reversed = new ArrayList<>(THREE);
        java.util.Collections.reverse(reversed);
        for (String k : keys(30_000)) {
            String owner = Rendezvous.owner(k, THREE);
            assertEquals(owner, Rendezvous.owner(k, reversed));
            counts.merge(owner, 1, Integer::sum);
        }
        for (String m : THREE) {
            int c = counts.getOrDefault(m, 0);
            assertTrue(c > 9_400 && c < 10_600, m + " owns " + c);
        }
    }

    @Test
    void theHashIsStableAcrossVersions() {
        // pinned: a change would move every series between replicas on an upgrade
        assertEquals(-7797823880968783962L, Rendezvous.hash("series-1"));
        assertEquals("10.0.0.1:9101", Rendezvous.owner("BMW.DE", THREE));
        assertNull(Rendezvous.owner("x", List.of()));
    }
}
