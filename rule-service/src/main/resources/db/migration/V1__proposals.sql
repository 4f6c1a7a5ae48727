-- Rule proposals (schema "rule", owned by rule-service). A proposal is stored whole as its arbiter.v1.RuleProposal
-- message; the columns beside it are what lists filter and page on and what state changes compare-and-set.
CREATE TABLE proposal (
    seq               bigserial PRIMARY KEY,      -- newest first = seq descending; the page key
    proposal_id       text    NOT NULL UNIQUE,    -- "proposal-<seq>"
    source            text    NOT NULL CHECK (source IN ('LLM', 'LOCAL_SEARCH', 'HUMAN')),
    state             text    NOT NULL CHECK (state IN ('PROPOSED', 'VALIDATION_FAILED', 'VALIDATED', 'BACKTESTED',
                                                        'SHADOW', 'PROMOTED', 'REJECTED', 'ROLLED_BACK')),
    expression        text    NOT NULL,           -- compared with later proposals for near-duplicates ('' if none)
    message           bytea   NOT NULL,           -- the RuleProposal, state included
    created_ts_micros bigint  NOT NULL,
    updated_ts_micros bigint  NOT NULL
);

CREATE INDEX proposal_state ON proposal (state, seq DESC);
CREATE INDEX proposal_source ON proposal (source, seq DESC);

-- Every state a proposal entered, who moved it and why: the history a reviewer reads.
CREATE TABLE proposal_event (
    event_id     bigserial PRIMARY KEY,
    proposal_seq bigint NOT NULL REFERENCES proposal (seq),
    state        text   NOT NULL,
    author       text   NOT NULL,
    reason       text   NOT NULL,
    ts_micros    bigint NOT NULL
);

CREATE INDEX proposal_event_of ON proposal_event (proposal_seq, event_id);
