package dev.arbiter.decision.grpc;

import dev.arbiter.service.RefusalStatuses;
import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.StatusRuntimeException;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

/**
 * decision-service's one exception mapper (see {@link RefusalStatuses}): a refusal becomes its status with the field
 * in the details; anything unexpected is logged and answered INTERNAL in words a caller can act on.
 */
@ApplicationScoped
public class ExceptionStatuses extends RefusalStatuses {

    private static final Logger LOG = Logger.getLogger(ExceptionStatuses.class);

    @Override
    protected Throwable unexpected(Throwable e) {
        if (e instanceof StatusRuntimeException || e instanceof StatusException) {
            return e;
        }
        LOG.error("decision failed unexpectedly", e);
        return Status.INTERNAL.withDescription("the decision could not be made: " + e + "; retry, and report it if it persists")
                .asRuntimeException();
    }
}
