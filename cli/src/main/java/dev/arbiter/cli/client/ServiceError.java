package dev.arbiter.cli.client;

import io.grpc.Status;

/** A call to a service that ended with a gRPC status other than OK; {@link Failures} says it in plain words. */
public final class ServiceError extends RuntimeException {

    public final Service service;
    public final HostPort address;
    public final Status status;

    public ServiceError(Service service, HostPort address, Status status) {
        super(service.displayName + " at " + address + ": " + status, status.getCause(), false, false);
        this.service = service;
        this.address = address;
        this.status = status;
    }
}
