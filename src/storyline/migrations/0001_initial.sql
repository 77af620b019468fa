-- 0001: raw input by SHA-256, cleaned articles, set-aside spans, comments,
-- rejections, and full-text search over titles and bodies.
CREATE TABLE raw_documents (
    sha256 TEXT PRIMARY KEY,
    source TEXT NOT NULL,            -- where the bytes were first seen
    media_type TEXT NOT NULL,
    size INTEGER NOT NULL,
    content BLOB NOT NULL            -- byte for byte as read
);

CREATE TABLE sources (
    source TEXT NOT NULL,
    sha256 TEXT NOT NULL REFERENCES raw_documents(sha256),
    PRIMARY KEY (source, sha256)
);

CREATE TABLE articles (
    id TEXT PRIMARY KEY,
    raw_sha256 TEXT NOT NULL REFERENCES raw_documents(sha256),
    source TEXT NOT NULL,
    locator TEXT NOT NULL,
    title TEXT,
    outlet TEXT,
    url TEXT,
    author TEXT,
    language TEXT,
    published TEXT NOT NULL,          -- JSON: date, earliest, latest, confidence, method, evidence
    text TEXT NOT NULL,               -- the full text cleaning saw; spans point into it
    body TEXT NOT NULL,
    paragraphs TEXT NOT NULL,         -- JSON: [[body_start, body_end, text_start, text_end], ...]
    extractor TEXT NOT NULL
);
CREATE INDEX articles_raw ON articles(raw_sha256);

CREATE TABLE set_aside (
    article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    label TEXT NOT NULL,
    start INTEGER NOT NULL,
    "end" INTEGER NOT NULL,
    cue TEXT NOT NULL,
    PRIMARY KEY (article_id, seq)
);

CREATE TABLE comments (
    article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    start INTEGER NOT NULL,
    "end" INTEGER NOT NULL,
    text TEXT NOT NULL,
    author TEXT,
    PRIMARY KEY (article_id, seq)
);

CREATE TABLE rejections (
    source TEXT NOT NULL,
    locator TEXT NOT NULL DEFAULT '',
    stage TEXT NOT NULL,
    sha256 TEXT,
    reason TEXT NOT NULL,
    detail TEXT NOT NULL,
    PRIMARY KEY (source, locator, stage)
);

CREATE VIRTUAL TABLE articles_fts USING fts5(
    title, body, content='articles', content_rowid='rowid', tokenize='unicode61 remove_diacritics 2'
);
CREATE TRIGGER articles_ai AFTER INSERT ON articles BEGIN
    INSERT INTO articles_fts(rowid, title, body) VALUES (new.rowid, coalesce(new.title, ''), new.body);
END;
CREATE TRIGGER articles_ad AFTER DELETE ON articles BEGIN
    INSERT INTO articles_fts(articles_fts, rowid, title, body)
    VALUES ('delete', old.rowid, coalesce(old.title, ''), old.body);
END;
CREATE TRIGGER articles_au AFTER UPDATE ON articles BEGIN
    INSERT INTO articles_fts(articles_fts, rowid, title, body)
    VALUES ('delete', old.rowid, coalesce(old.title, ''), old.body);
    INSERT INTO articles_fts(rowid, title, body) VALUES (new.rowid, coalesce(new.title, ''), new.body);
END;
