-- What the LLM was asked for per UTC day, shared by every rule-service process: the daily token and cost budgets are
-- checked against it before each call.
CREATE TABLE llm_usage (
    day           date             PRIMARY KEY,
    calls         bigint           NOT NULL,
    input_tokens  bigint           NOT NULL,
    output_tokens bigint           NOT NULL,
    cost          double precision NOT NULL   -- in the configured currency, from the configured prices per token
);
