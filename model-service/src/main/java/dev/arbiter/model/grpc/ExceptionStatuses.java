package dev.arbiter.model.grpc;

import dev.arbiter.service.RefusalStatuses;
import jakarta.enterprise.context.ApplicationScoped;

/** model-service's one exception mapper: a refusal anywhere in a call becomes its status, with the field in the details. */
@ApplicationScoped
public class ExceptionStatuses extends RefusalStatuses {
}
