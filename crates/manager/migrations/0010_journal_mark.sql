-- vigie-manager schema, version 10: the intake journal's mark. The receiver appends each
-- accepted notification to a durable journal before the store indexes it; the sequence
-- number of the last journal record whose event is stored is written in the same
-- transaction as the events, so that after a crash indexing resumes right after it.

CREATE TABLE journal_mark (
    id  INTEGER PRIMARY KEY CHECK (id = 1),
    seq BIGINT NOT NULL
);
INSERT INTO journal_mark (id, seq) VALUES (1, 0);
