package dev.arbiter.rules.llm;

import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.Provider;
import org.eclipse.microprofile.rest.client.ext.ResponseExceptionMapper;

/**
 * Turns an LLM server's error answer into an {@link LlmHttpError} that keeps its Retry-After header. It runs before
 * quarkus-langchain4j's own mapper (a lower priority number), which would drop the headers. rule-service has no other
 * REST client, so this global provider sees only the LLM's answers.
 */
@Provider
public class RetryAfterMapper implements ResponseExceptionMapper<RuntimeException> {

    @Override
    public boolean handles(int status, MultivaluedMap<String, Object> headers) {
        return status >= 400;
    }

    @Override
    public int getPriority() {
        return Priorities.USER - 100;
    }

    @Override
    public RuntimeException toThrowable(Response response) {
        String body;
        try {
            body = response.hasEntity() ? response.readEntity(String.class) : "";
        } catch (RuntimeException unreadable) {
            body = "";
        }
        return new LlmHttpError(response.getStatus(), body, response.getHeaderString("Retry-After"));
    }
}
