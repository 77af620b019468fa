-- 0005: storylines kept as state, so that adding articles updates only the storylines
-- of the events it touched (they were derived over all events on every build before).
-- The storylines table keeps each storyline's label; events.storyline_id its members.
-- events.seq now holds the event's arrival order: a storyline lists its events by
-- date (undated last), then by it.

-- What scoring an event against a storyline, and its label, need.
CREATE TABLE cluster_storylines (
    id TEXT PRIMARY KEY REFERENCES storylines(id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,            -- arrival order of the event that opened it
    size INTEGER NOT NULL,           -- events in it
    terms TEXT NOT NULL,             -- JSON list: the heaviest terms of its events' summed vectors
    weights BLOB NOT NULL,           -- float64 little-endian, one per term
    names TEXT NOT NULL,             -- JSON [[name, events naming it, form], ...]
    days TEXT NOT NULL               -- JSON [[day number, events dated so], ...]
) WITHOUT ROWID;

-- Each event's storyline and what it brought to it, taken back when the event changes.
CREATE TABLE cluster_placements (
    event_id TEXT PRIMARY KEY,
    storyline_id TEXT NOT NULL,
    seq INTEGER NOT NULL,            -- the event's arrival order
    day INTEGER,                     -- the event's date (day number)
    terms TEXT NOT NULL,             -- JSON list: its vector, weighed with the storyline IDF
    weights BLOB NOT NULL,           -- float64 little-endian
    names TEXT NOT NULL              -- JSON [[name, form], ...]
) WITHOUT ROWID;

-- Storylines by the heaviest terms of their events: candidates for a new event.
CREATE TABLE cluster_storyline_postings (
    term TEXT NOT NULL,
    storyline_id TEXT NOT NULL,
    events INTEGER NOT NULL,         -- its events posting the term
    PRIMARY KEY (term, storyline_id)
) WITHOUT ROWID;
