package dev.arbiter.rules.testing;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * An {@link OpenAiStub} for the tests' rule-service to call as its LLM, through the real quarkus-langchain4j-openai
 * client: base URL, key, model and short timeouts set as a deployment sets them.
 */
public class LlmStubResource implements QuarkusTestResourceLifecycleManager {

    public static volatile OpenAiStub stub;

    @Override
    public Map<String, String> start() {
        try {
            stub = new OpenAiStub();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Map.of(
                "arbiter.rules.llm.base-url", stub.baseUrl(),
                "quarkus.langchain4j.openai.base-url", stub.baseUrl(),
                "quarkus.langchain4j.openai.api-key", "test-key",
                "arbiter.rules.llm.model", "test-model",
                "quarkus.langchain4j.openai.chat-model.model-name", "test-model",
                "arbiter.rules.llm.call-timeout", OpenAiStub.CALL_TIMEOUT.toMillis() + "ms",
                "quarkus.langchain4j.openai.timeout", "5s");
    }

    @Override
    public void stop() {
        if (stub != null) {
            stub.close();
        }
    }
}
