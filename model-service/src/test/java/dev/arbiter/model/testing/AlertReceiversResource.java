package dev.arbiter.model.testing;

import io.quarkus.test.common.QuarkusTestResource;

/** Puts {@link AlertReceivers} under every Quarkus test of the module (not restricted to one class: no restarts). */
@QuarkusTestResource(AlertReceivers.class)
public final class AlertReceiversResource {

    private AlertReceiversResource() {
    }
}
