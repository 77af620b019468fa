-- 0002: copy lineage, events and storylines, and the saved state of the
-- incremental stages.
CREATE TABLE copy_links (
    article_id TEXT PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
    original_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    relation TEXT NOT NULL,          -- exact, reformatted, excerpt, edited, rewrite, translation
    similarity REAL NOT NULL,
    evidence TEXT NOT NULL           -- JSON: [{text, start, end, original_start, original_end}]
);
CREATE INDEX copy_links_original ON copy_links(original_id);

CREATE TABLE storylines (
    id TEXT PRIMARY KEY,
    label TEXT NOT NULL
);

CREATE TABLE events (
    id TEXT PRIMARY KEY,
    label TEXT NOT NULL,
    date TEXT,
    date_evidence TEXT NOT NULL,     -- JSON list of strings
    storyline_id TEXT REFERENCES storylines(id) ON DELETE SET NULL,
    seq INTEGER NOT NULL DEFAULT 0   -- order within its storyline
);

CREATE TABLE event_articles (
    event_id TEXT NOT NULL REFERENCES events(id) ON DELETE CASCADE,
    article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    PRIMARY KEY (event_id, article_id)
);
CREATE INDEX event_articles_article ON event_articles(article_id);

CREATE TABLE stage_state (
    stage TEXT PRIMARY KEY,
    state TEXT NOT NULL              -- JSON, written by the stage's own serialiser
);
