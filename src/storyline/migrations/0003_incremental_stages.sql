-- 0003: what copy detection and event clustering keep per article, event and term,
-- so that adding articles reads and writes only the rows it touches (the whole
-- clusterer state was one JSON value in stage_state before).

-- Copy detection: one row per article indexed, in arrival order (seq).
CREATE TABLE copy_docs (
    seq INTEGER PRIMARY KEY,
    article_id TEXT NOT NULL UNIQUE REFERENCES articles(id) ON DELETE CASCADE,
    body_key TEXT NOT NULL,          -- SHA-256 of the normalised body: exact copies
    words_key TEXT NOT NULL,         -- SHA-256 of its word hashes: the same words reformatted
    completeness INTEGER NOT NULL,   -- words on lines ending like a sentence: picks originals
    content BLOB NOT NULL,           -- uint32 little-endian: hashes of its content words
    sketch BLOB NOT NULL             -- uint32 little-endian MinHash signatures (dedupe.pack_sketch)
);
CREATE INDEX copy_docs_body ON copy_docs(body_key);
CREATE INDEX copy_docs_words ON copy_docs(words_key);

-- LSH bands: an article sharing a key with a new one is one of its candidates.
-- No foreign key: 124 rows an article, and readers join copy_docs anyway.
CREATE TABLE copy_bands (
    band_key INTEGER NOT NULL,       -- dedupe.band_keys: family, band and values hashed
    seq INTEGER NOT NULL,
    PRIMARY KEY (band_key, seq)
) WITHOUT ROWID;

-- Documents per hashed content word, for the TF-IDF re-rank of rewrite candidates.
CREATE TABLE copy_terms (
    term INTEGER PRIMARY KEY,
    documents INTEGER NOT NULL
);

-- Pairs found linked (first, second in the order the check saw them), with evidence spans.
CREATE TABLE copy_pairs (
    first INTEGER NOT NULL REFERENCES copy_docs(seq) ON DELETE CASCADE,
    second INTEGER NOT NULL REFERENCES copy_docs(seq) ON DELETE CASCADE,
    relation TEXT NOT NULL,
    similarity REAL NOT NULL,
    spans TEXT NOT NULL,             -- JSON: [[start, end, other start, other end], ...]
    PRIMARY KEY (first, second)
) WITHOUT ROWID;
CREATE INDEX copy_pairs_second ON copy_pairs(second);

-- Clustering: each article's record (JSON, cluster._doc_state), or the original a copy follows.
CREATE TABLE cluster_articles (
    article_id TEXT PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
    original_id TEXT,                -- set for a copy: it follows this article's event
    state TEXT                       -- JSON, set for an independent article
);

-- Each live event: members in arrival order and its centroid (sum of member vectors).
CREATE TABLE cluster_events (
    id TEXT PRIMARY KEY,
    seq INTEGER NOT NULL,            -- arrival order of its first article
    members TEXT NOT NULL,           -- JSON list of article ids
    terms TEXT NOT NULL,             -- JSON list of the centroid's terms
    weights BLOB NOT NULL,           -- float64 little-endian, one per term
    day REAL                         -- mean day number of its dated articles
);

-- The inverted index of event centroids' heaviest terms: candidate events of a new article.
-- Each row repeats its event's seq, size and mean day, all a first pass over the
-- postings needs (an event's rows are all rewritten whenever it changes).
CREATE TABLE cluster_postings (
    term TEXT NOT NULL,
    event_id TEXT NOT NULL,
    weight REAL NOT NULL,
    seq INTEGER NOT NULL,
    size INTEGER NOT NULL,
    day REAL,
    PRIMARY KEY (term, event_id)
) WITHOUT ROWID;

-- Document frequencies of the clustering's terms (the IDF), updated by delta.
CREATE TABLE cluster_terms (
    term TEXT PRIMARY KEY,
    documents INTEGER NOT NULL
) WITHOUT ROWID;

-- Events merged away, and the event each went on as.
CREATE TABLE cluster_retired (
    id TEXT PRIMARY KEY,
    heir TEXT NOT NULL
) WITHOUT ROWID;
