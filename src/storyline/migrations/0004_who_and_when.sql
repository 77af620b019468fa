-- 0004: who said what (quotations, mentions, actors, variant groups) and when
-- (publication dates inferred for articles that arrived without one).
CREATE TABLE quotes (
    id TEXT PRIMARY KEY,
    article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    start INTEGER NOT NULL,          -- offsets into articles.text
    "end" INTEGER NOT NULL,
    kind TEXT NOT NULL,              -- direct, partial, indirect
    text TEXT NOT NULL,
    cue TEXT,
    cue_start INTEGER,
    cue_end INTEGER,
    speaker TEXT,                    -- JSON Speaker, NULL when none was found
    layer TEXT NOT NULL,             -- article, comment
    said_on TEXT,
    variant_group TEXT
);
CREATE INDEX quotes_article ON quotes(article_id);
CREATE INDEX quotes_variant ON quotes(variant_group);

CREATE TABLE mentions (
    article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    start INTEGER NOT NULL,
    "end" INTEGER NOT NULL,
    text TEXT NOT NULL,
    kind TEXT NOT NULL,
    role TEXT,
    PRIMARY KEY (article_id, start, "end")
);

-- Which articles the per-article analysis (annotate, quotes, mentions) has seen.
CREATE TABLE analysed_articles (
    article_id TEXT PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE
);

CREATE TABLE actors (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    aliases TEXT NOT NULL,           -- JSON list of surface forms
    roles TEXT NOT NULL              -- JSON list of {role, article_id, date}
);

CREATE TABLE variant_groups (
    id TEXT PRIMARY KEY,
    earliest TEXT NOT NULL,          -- quote id of the earliest source
    quote_ids TEXT NOT NULL,         -- JSON list, earliest first
    differences TEXT NOT NULL        -- JSON, word-level differences against the earliest
);

-- A publication date the dates stage inferred; the declared one in articles
-- stays as it came, so the two can always be told apart.
CREATE TABLE inferred_dates (
    article_id TEXT PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
    own TEXT NOT NULL,               -- JSON Published from the article alone (text, knowledge)
    published TEXT NOT NULL          -- JSON Published after copies and events lent theirs
);
