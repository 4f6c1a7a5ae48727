package dev.arbiter.cli.optimizer;

import dev.arbiter.proto.v1.RegistrationPolicy;

/** {@code --register}: when a trained model is registered in model-service. */
public enum Registration {
    ALWAYS("always", RegistrationPolicy.REGISTRATION_POLICY_ALWAYS),
    IF_BETTER("if-better", RegistrationPolicy.REGISTRATION_POLICY_IF_BETTER),
    IF_SIGNIFICANTLY_BETTER("if-significantly-better", RegistrationPolicy.REGISTRATION_POLICY_IF_SIGNIFICANTLY_BETTER),
    NEVER("never", RegistrationPolicy.REGISTRATION_POLICY_NEVER);

    private final String cliName;
    final RegistrationPolicy proto;

    Registration(String cliName, RegistrationPolicy proto) {
        this.cliName = cliName;
        this.proto = proto;
    }

    @Override
    public String toString() {
        return cliName;
    }
}
