"""Actors stage: people and organisations named in articles, merged across articles.

`find_mentions` reads one article: spaCy's entities, repaired where a general rule
helps (possessives, title + Name sequences spaCy missed, a surname the model
labelled as a place), each with the role the article gives it (a title before the
name or an apposition after it), plus role descriptions ("the French president")
for the merge to resolve. `merge_actors` merges mentions of the whole pile into
actors: one person under every spelling and script, one organisation under its
name and acronym, and each description under the person holding that role then.

Names in another script are romanized (BGN/PCGN for Russian, the national system
for Ukrainian) and compared loosely with the Latin names; `data/names.toml` holds
only what romanization cannot recover.
"""

from __future__ import annotations

import hashlib
import tomllib
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from difflib import SequenceMatcher
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING

import regex

from .records import Actor, Mention, Quote, Role, Speaker

if TYPE_CHECKING:
    from collections.abc import Callable

    from spacy.tokens import Doc, Token

    TokenSeq = Sequence[Token]
    _Inside = Callable[[int, int], bool]  # is [start, end) inside the spans searched?

# spaCy labels read as actors. NORP (nationalities, religious and political
# groups) is left out: "French" or "Europeans" name a population, not an actor
# that speaks or acts, and the small model cannot tell a party from a people.
_PERSON, _ORG, _GPE = "PERSON", "ORG", "GPE"
_KIND = {_PERSON: "person", _ORG: "org", _GPE: "gpe"}
# A place counts as an actor only when it acts ("Moscow has denied", "Russia
# warned"): as a subject or as the agent of a passive, i.e. as a government.
_ACTING_DEPS = frozenset({"nsubj", "nsubjpass", "agent"})
# Entities whose words may stay capitalized inside a normalized role.
_PROPER_ENTS = frozenset({"NORP", "GPE", "ORG", "LOC", "FAC"})
_PLACE_PREPOSITIONS = frozenset({"in", "to", "from", "at", "near", "outside", "inside"})
_DETERMINERS = frozenset({"the", "a", "an", "this", "that"})
_MAX_ROLE_TOKENS = 8  # "Russia's deputy foreign minister for arms control" is about the limit
_MAX_TITLE_NAME_TOKENS = 4

# Fuzzy name matching across scripts: SequenceMatcher ratio of the phonetic
# skeletons. 0.8 accepts "barro"~"barrot" (0.89), "makrona"~"makron" (0.92,
# a Russian case ending), "zhan noel baro"~"jean noel barot" (0.93) and
# rejects "lavrov"~"ryabkov" (0.62); names of four letters or fewer must match
# exactly because one letter changes them.
FUZZY_NAME_RATIO = 0.8
_FUZZY_MIN_LENGTH = 5

_NON_LATIN = regex.compile(r"[\p{L}--\p{Latin}]", flags=regex.V1)
_BRACKETS = regex.compile(r"[\[\]\(\)\{\}]")
_POSSESSIVE = regex.compile(r"(?:['’]s|s['’])$")
_SPACES = regex.compile(r"\s+")


# --- the name table -----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NameTable:
    """Word lists and hand-kept name forms from data/names.toml."""

    honorifics: frozenset[str]
    role_nouns: frozenset[str]
    acronym_skip: frozenset[str]
    forms: Mapping[str, str]  # folded non-Latin form -> English form


@lru_cache(maxsize=1)
def load_names() -> NameTable:
    """The packaged name table (read once: it is small and never changes at run time)."""
    raw = resources.files("storyline").joinpath("data/names.toml").read_text("utf-8")
    table = tomllib.loads(raw)
    words = table["words"]
    return NameTable(
        honorifics=frozenset(words["honorifics"]),
        role_nouns=frozenset(words["role_nouns"]),
        acronym_skip=frozenset(words["acronym_skip"]),
        forms={fold(k): v for k, v in table.get("forms", {}).items()},
    )


# --- spelling: folding, romanization, skeletons --------------------------------

# Romanization is written here because no installed library romanizes Cyrillic
# offline. Russian follows BGN/PCGN 1947; the letters only Ukrainian has, and
# Ukrainian г/и, follow the Ukrainian national system (2010), chosen per word.
_RU = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "yo", "ж": "zh",
    "з": "z", "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o",
    "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts",
    "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu",
    "я": "ya",
}  # fmt: skip
_UK = {**_RU, "г": "h", "ґ": "g", "е": "e", "є": "ie", "и": "y", "і": "i", "ї": "i", "щ": "shch"}
_UK_ONLY = frozenset("ґєії")
_VOWELS_RU = frozenset("аеёиоуыэюяєіїьъ")


def transliterate(text: str) -> str:
    """Cyrillic letters to Latin (BGN/PCGN Russian, Ukrainian national), others kept."""
    out: list[str] = []
    for word in regex.split(r"(\W+)", text):
        table = _UK if _UK_ONLY & set(word.lower()) else _RU
        prev = ""
        for ch in word:
            low = ch.lower()
            latin = table.get(low)
            if latin is None:
                out.append(ch)
            else:
                # BGN/PCGN writes е as "ye" at the start of a word and after a vowel.
                if low == "е" and table is _RU and (not prev or prev in _VOWELS_RU):
                    latin = "ye"
                out.append(latin.capitalize() if ch != low else latin)
            prev = low
    return "".join(out)


def fold(text: str) -> str:
    """Case-, accent- and punctuation-insensitive form used as a lookup key."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = text.lower().replace("’", "'").replace("'", "").replace(".", "")
    text = regex.sub(r"[\p{P}\p{S}]+", " ", text)
    return str(_SPACES.sub(" ", text)).strip()


def skeleton(name: str) -> str:
    """A rough sound key: spellings romanization and English usage both produce agree.

    Not a phonetic algorithm (Soundex would merge far too much); only the few
    letter groups that English spellings of Slavic and French names vary on.
    """
    s = fold(transliterate(name))
    for a, b in (
        ("shch", "sh"),
        ("sch", "sh"),
        ("zh", "j"),
        ("kh", "h"),
        ("ck", "k"),
        ("ph", "f"),
        ("c", "k"),
        ("q", "k"),
        ("x", "ks"),
        ("w", "v"),
        ("y", "i"),
    ):
        s = s.replace(a, b)
    return str(regex.sub(r"(.)\1+", r"\1", s))


def similar_names(a: str, b: str) -> bool:
    """Do two skeletons (see `skeleton`) spell one name, allowing for romanization?"""
    return _similar(a, b) >= FUZZY_NAME_RATIO


def is_latin(text: str) -> bool:
    """True when no letter of `text` is from a non-Latin script."""
    return _NON_LATIN.search(text) is None


# Final letters French spelling keeps and speech (hence a romanization) drops:
# "Barrot" is said, and written in Cyrillic, as "Барро".
_SILENT_FINALS = frozenset("tdsxz")


def _similar(a: str, b: str) -> float:
    if a == b:
        return 1.0
    short, long = sorted((a, b), key=len)
    if len(long) == len(short) + 1 and long.startswith(short) and long[-1] in _SILENT_FINALS:
        return FUZZY_NAME_RATIO
    if min(len(a), len(b)) < _FUZZY_MIN_LENGTH or a[:1] != b[:1]:
        return 0.0
    return SequenceMatcher(None, a, b, autojunk=False).ratio()


def normalize_name(text: str, names: NameTable | None = None) -> str:
    """A surface form made a name: no possessive, brackets, courtesy title or article."""
    names = names or load_names()
    text = _BRACKETS.sub("", text.replace("’", "'"))
    words = _SPACES.sub(" ", text).strip(" ,;:-'\"").split(" ")
    while len(words) > 1 and (
        words[0].lower() in names.honorifics
        or words[0].lower() in _DETERMINERS
        or (words[0][:1].isupper() and words[0].lower() in names.role_nouns)
    ):
        words = words[1:]
    name = " ".join(words)
    return str(_POSSESSIVE.sub(lambda m: "s" if m.group(0).startswith("s") else "", name))


def name_key(text: str, names: NameTable | None = None) -> str:
    """The folded Latin key of a name: table form or romanization of other scripts."""
    names = names or load_names()
    name = normalize_name(text, names)
    if not is_latin(name):
        name = names.forms.get(fold(name), name)
    return fold(transliterate(name))


def actor_id(name: str) -> str:
    """A deterministic actor id from the canonical name."""
    digest = hashlib.sha1(fold(transliterate(name)).encode("utf-8")).hexdigest()
    return "a-" + digest[:10]


# --- mentions ----------------------------------------------------------------


def find_mentions(
    article_id: str,
    text: str,
    doc: Doc | None = None,
    spans: Sequence[tuple[int, int]] | None = None,
) -> list[Mention]:
    """People, organisations and acting places named in `text`, with their roles.

    `spans` restricts the result to those ranges (the body paragraphs), so that
    boilerplate and reader comments name no actor of the article. Offsets are
    into `text`; `doc`, when given, must be a parse of `text` itself.
    """
    names = load_names()
    if doc is None:
        from .annotate import english

        doc = english()(text)
    elif doc.text != text:
        raise ValueError(f"article {article_id}: the Doc given is not a parse of its text")
    windows = sorted(spans) if spans is not None else [(0, len(text))]

    def inside(start: int, end: int) -> bool:
        return any(s <= start and end <= e for s, e in windows)

    found: list[Mention] = []
    taken: set[int] = set()  # token indices already inside a mention
    surnames = _person_surnames(doc)
    for ent in doc.ents:
        if ent.label_ not in _KIND:
            continue
        tokens = _trim(list(ent), names)
        while ent.label_ == _PERSON and len(tokens) > 1 and _is_role_noun(tokens[0], names):
            tokens = tokens[1:]  # "President Putin": the title is a role, not the name
        # English writes names capitalized; a lowercase "entity" is a misread phrase.
        if not tokens or tokens[0].text[:1].islower() or _in_title(tokens, names):
            continue
        label = _relabel(ent.label_, tokens, surnames)
        if label is None:
            continue
        start, end = tokens[0].idx, tokens[-1].idx + len(tokens[-1])
        if not inside(start, end):
            continue
        role = _role_before(doc, tokens[0].i, names) or _role_after(doc, tokens[-1].i, names)
        if label != _PERSON and tokens[0].i > 0 and _is_role_noun(doc[tokens[0].i - 1], names):
            label = _PERSON  # right after an office title only a person's name stands
        if label == _PERSON and role is None:
            role = _title_inside(list(ent), tokens, names)
        found.append(Mention(article_id, text[start:end], start, end, _KIND[label], role))
        taken.update(t.i for t in tokens)
    found.extend(_titled_names(article_id, doc, taken, names, inside))
    found.extend(_descriptions(article_id, doc, names, inside))
    return sorted(found, key=lambda m: (m.start, m.end))


def _trim(tokens: list[Token], names: NameTable) -> list[Token]:
    """Drop what spaCy glued to a name: a leading verb or article, a trailing 's."""
    while tokens and (
        tokens[0].is_punct
        or tokens[0].pos_ in {"DET", "VERB", "ADP", "ADV", "SCONJ"}
        or tokens[0].lower_ in names.honorifics
    ):
        tokens = tokens[1:]
    while tokens and (tokens[-1].is_punct or tokens[-1].tag_ == "POS"):
        tokens = tokens[:-1]
    return tokens


def _person_surnames(doc: Doc) -> set[str]:
    return {
        fold(ent[-1].text if ent[-1].tag_ != "POS" else ent[-2].text)
        for ent in doc.ents
        if ent.label_ == _PERSON and len(ent) >= 2
    }


def _in_title(tokens: TokenSeq, names: NameTable) -> bool:
    """An organisation word inside an office title: "Secretary of [State]"."""
    first = tokens[0]
    if first.i < 2:
        return False
    of, title = first.doc[first.i - 1], first.doc[first.i - 2]
    return of.lower_ == "of" and title.text[:1].isupper() and _is_role_noun(title, names)


def _relabel(label: str, tokens: TokenSeq, surnames: set[str]) -> str | None:
    """Repair the small model's labels by consistency within the article.

    A lone word the article elsewhere gives as a person's surname is that person
    ("Blinken" tagged as a place); a lone "person" never given a first name and
    coordinated with places ("Kiev and Moscow") or governed by a place preposition
    ("a visit to Kyiv") is a place; places count only when they act.
    """
    if len(tokens) == 1 and label in (_ORG, _GPE) and fold(tokens[0].text) in surnames:
        return _PERSON
    if label == _PERSON and len(tokens) == 1 and fold(tokens[0].text) not in surnames:
        token = tokens[0]
        coordinated_with_place = any(n.ent_type_ == _GPE for n in token.conjuncts)
        place_complement = token.dep_ == "pobj" and token.head.lower_ in _PLACE_PREPOSITIONS
        if coordinated_with_place or place_complement:
            label = _GPE
    if label == _GPE:
        inner = {t.i for t in tokens}
        root = next((t for t in tokens if t.head.i not in inner or t.head.i == t.i), tokens[-1])
        return _GPE if root.dep_ in _ACTING_DEPS else None
    return label


def _is_role_noun(token: Token, names: NameTable) -> bool:
    """A singular office noun ("minister"); plurals name groups, not a person."""
    if token.tag_ in ("NNS", "NNPS"):
        return False
    return token.lower_ in names.role_nouns or token.lemma_.lower() in names.role_nouns


def _role_token(token: Token) -> bool:
    """May this token be part of a role phrase (a modifier or head of a title)?"""
    if token.ent_type_ and token.ent_type_ not in _PROPER_ENTS:
        return False  # a person's name, a date, a number: no part of a title
    if token.tag_ == "POS" or token.text == "-":
        return True
    return token.pos_ in {"PROPN", "NOUN", "ADJ"} and not token.is_punct


def _role_text(tokens: TokenSeq) -> str:
    """A role as the article gives it, with common words lowercased ("French president")."""
    parts: list[str] = []
    after_of = False
    for token in tokens:
        word = token.text.replace("’", "'")
        possessor = token.i + 1 < len(token.doc) and token.doc[token.i + 1].tag_ == "POS"
        keep = (
            token.ent_type_ in _PROPER_ENTS
            or possessor
            or (word.isupper() and len(word) > 1)
            or (after_of and word[:1].isupper())
        )
        parts.append((word if keep else word.lower()) + token.whitespace_)
        after_of = token.lower_ == "of" or (after_of and word[:1].isupper())
    return "".join(parts).strip()


def _well_formed_role(tokens: TokenSeq, names: NameTable) -> bool:
    """The phrase has a singular role noun, followed only by title words ("of State")."""
    heads = [i for i, t in enumerate(tokens) if _is_role_noun(t, names)]
    if not heads:
        return False
    tail = tokens[heads[-1] + 1 :]
    return all(t.lower_ == "of" or t.pos_ == "PROPN" or _is_role_noun(t, names) for t in tail)


def _role_run_left(doc: Doc, end: int) -> int:
    """Start of the longest run of role-phrase tokens ending just before token `end`."""
    sent_start = doc[end].sent.start if end < len(doc) else doc[end - 1].sent.start
    i = end
    while i > sent_start and end - i < _MAX_ROLE_TOKENS:
        token = doc[i - 1]
        title_of = (
            token.lower_ == "of" and i < end and doc[i].text[:1].isupper() and i - 2 >= sent_start
        )
        if not (_role_token(token) or title_of):
            break
        i -= 1
    # A run may not start on a possessive marker, a hyphen or "of".
    while i < end and (doc[i].tag_ == "POS" or doc[i].text == "-" or doc[i].lower_ == "of"):
        i += 1
    return i


def _role_before(doc: Doc, name_start: int, names: NameTable) -> str | None:
    """The title before a name: "EU foreign policy chief [Kaja Kallas]"."""
    start = _role_run_left(doc, name_start)
    tokens = doc[start:name_start]
    if not len(tokens) or not _well_formed_role(list(tokens), names):
        return None
    return _role_text(list(tokens))


def _role_after(doc: Doc, name_end: int, names: NameTable) -> str | None:
    """An apposition after a name: "[Dmitry Peskov], the Kremlin spokesman,"."""
    i = name_end + 1
    if i >= len(doc) or doc[i].text != "," or doc[i].sent != doc[name_end].sent:
        return None
    i += 1
    if i < len(doc) and doc[i].lower_ in _DETERMINERS:
        i += 1
    start = i
    while i < len(doc) and i - start < _MAX_ROLE_TOKENS and doc[i].sent == doc[start].sent:
        token = doc[i]
        title_of = token.lower_ == "of" and i + 1 < len(doc) and doc[i + 1].text[:1].isupper()
        if not (_role_token(token) or title_of):
            break
        i += 1
    closed = i >= len(doc) or doc[i].is_punct or doc[i].is_sent_end
    tokens = list(doc[start:i])
    if not tokens or not closed or not _well_formed_role(tokens, names):
        return None
    return _role_text(tokens)


def _title_inside(ent_tokens: TokenSeq, kept: TokenSeq, names: NameTable) -> str | None:
    """A title spaCy put inside the entity ("President Putin") is a role too."""
    lead = [t for t in ent_tokens if t.i < kept[0].i and _is_role_noun(t, names)]
    return _role_text(lead) if lead else None


def _titled_names(
    article_id: str, doc: Doc, taken: set[int], names: NameTable, inside: _Inside
) -> list[Mention]:
    """Names spaCy missed after a courtesy title or capitalized office title ("Mr Dupont")."""
    found: list[Mention] = []
    for token in doc:
        is_title = token.lower_ in names.honorifics or (
            token.text[:1].isupper() and _is_role_noun(token, names)
        )
        if not is_title:
            continue
        j = token.i + 1
        while (
            j < len(doc)
            and j - token.i <= _MAX_TITLE_NAME_TOKENS
            and doc[j].pos_ == "PROPN"
            and doc[j].text[:1].isupper()
            and not doc[j].ent_type_
            and j not in taken
            and not _is_role_noun(doc[j], names)
        ):
            j += 1
        if j == token.i + 1:
            continue
        if j < len(doc) and (doc[j].ent_type_ or doc[j].pos_ == "PROPN"):
            continue  # the run goes on into something else: not a clean name
        start, end = doc[token.i + 1].idx, doc[j - 1].idx + len(doc[j - 1])
        if not inside(start, end):
            continue
        role = _role_before(doc, token.i + 1, names)
        found.append(Mention(article_id, doc.text[start:end], start, end, "person", role))
        taken.update(range(token.i + 1, j))
    return found


def _descriptions(article_id: str, doc: Doc, names: NameTable, inside: _Inside) -> list[Mention]:
    """Role descriptions standing for a person: "the French president said".

    Only a determiner + modifiers + a singular role noun not followed by a name
    and not in apposition to one; a bare "the president" is too ambiguous.
    """
    found: list[Mention] = []
    for token in doc:
        if not _is_role_noun(token, names) or token.ent_type_:
            continue
        nxt = doc[token.i + 1] if token.i + 1 < len(doc) else None
        if nxt is not None and (nxt.pos_ == "PROPN" or _is_role_noun(nxt, names)):
            continue  # a title before a name, or the middle of a longer title
        if nxt is not None and nxt.lower_ == "of":
            continue
        start = _role_run_left(doc, token.i + 1)
        if token.i + 1 - start < 2 or start == 0 or doc[start - 1].lower_ != "the":
            continue
        det = doc[start - 1]
        if det.i > 1 and doc[det.i - 1].text == "," and doc[det.i - 2].ent_type_ == _PERSON:
            continue  # "Peskov, the Kremlin spokesman": the apposition of a name
        tokens = list(doc[start : token.i + 1])
        if not _well_formed_role(tokens, names):
            continue
        s, e = det.idx, token.idx + len(token)
        if inside(s, e):
            found.append(Mention(article_id, doc.text[s:e], s, e, "person", _role_text(tokens)))
    return found


def is_description(mention: Mention) -> bool:
    """True for a role standing for a person ("the French president"), not a name."""
    if mention.role is None:
        return False
    words = mention.text.replace("’", "'").split()
    if words and words[0].lower() in _DETERMINERS:
        words = words[1:]
    return fold(" ".join(words)) == fold(mention.role)


# --- merging -------------------------------------------------------------------


@dataclass(slots=True)
class _Group:
    """Mentions gathered under one key while merging (mutable, internal only)."""

    key: str
    mentions: list[Mention]
    fixed_kind: str | None = None  # an already merged actor's kind (lookup only)
    votes: Counter[str] = field(default_factory=Counter)  # kinds the entity labels gave

    def add(self, mention: Mention, vote: bool = True) -> None:
        self.mentions.append(mention)
        if vote:
            self.votes[mention.kind] += 1

    @property
    def kind(self) -> str:
        if self.fixed_kind is not None:
            return self.fixed_kind
        if not self.votes:
            return "person"  # named only as a quote's speaker: speakers are mostly people
        # Ties go to person, then org: a name seen once as a person is a person.
        return max(self.votes, key=lambda k: (self.votes[k], k == "person", k == "org"))


def merge_actors(
    mentions: Iterable[Mention],
    dates: Mapping[str, str | None] = {},
    speakers: Iterable[Speaker | Quote] = (),
) -> list[Actor]:
    """Merge mentions across articles into actors.

    Each name is keyed by its folded, romanized form; then a lone surname joins
    the one full name that ends with it, an acronym the one organisation it
    abbreviates, a name in another script the one Latin name it sounds like, and
    a description ("the French president") the person the pile gives that role
    to in the same article, else nearest in time. Unresolved descriptions are
    left out rather than made actors of their own.

    `speakers` may be Speaker records or whole Quote records (which also give
    the article id); each named speaker becomes a mention, so that every quote
    speaker maps to an actor.
    """
    names = load_names()
    # (mention, votes on the kind): a speaker's kind is a guess, an entity label is not.
    pending = [(m, True) for m in mentions]
    seen = {(m.article_id, m.start, m.end) for m, _ in pending}
    for mention in _speaker_mentions(speakers):
        if (mention.article_id, mention.start, mention.end) not in seen:
            pending.append((mention, False))
            seen.add((mention.article_id, mention.start, mention.end))

    groups: dict[str, _Group] = {}
    described: list[Mention] = []
    for mention, vote in pending:
        if is_description(mention):
            described.append(mention)
            continue
        key = name_key(mention.text, names)
        if key:
            groups.setdefault(key, _Group(key, [])).add(mention, vote)

    _fold_into(groups, _spelling_variants(groups))
    _fold_into(groups, _absorb_target(groups, names))
    _resolve_descriptions(groups, described, dates)
    actors = [_build_actor(group, dates, names) for group in groups.values()]
    return sorted(actors, key=lambda a: (-len(a.mentions), a.name, a.id))


def _speaker_mentions(speakers: Iterable[Speaker | Quote]) -> Iterator[Mention]:
    for item in speakers:
        article_id, speaker = (
            ("", item) if isinstance(item, Speaker) else (item.article_id, item.speaker)
        )
        if speaker is None or not speaker.name:
            continue
        start = speaker.start if speaker.start is not None else 0
        end = speaker.end if speaker.end is not None else start
        role = None
        if speaker.description and not speaker.anonymous:
            role = normalize_name(speaker.description)
        yield Mention(article_id, speaker.name, start, end, "person", role)


def _absorb_target(groups: Mapping[str, _Group], names: NameTable) -> dict[str, str]:
    """Which key each short or foreign key joins: surname, acronym or sound-alike."""
    full_people: dict[str, list[str]] = defaultdict(list)  # surname -> full keys
    acronyms: dict[str, list[str]] = defaultdict(list)
    for key, group in groups.items():
        words = key.split()
        if len(words) >= 2 and group.kind == "person" and is_latin(key):
            full_people[words[-1]].append(key)
        if len(words) >= 2 and group.kind != "person":
            acronyms[_acronym(words, names)].append(key)
    targets: dict[str, str] = {}
    for key, group in groups.items():
        words = key.split()
        if len(words) != 1:
            continue
        if group.kind == "person" and len(full_people.get(key, [])) == 1:
            targets[key] = full_people[key][0]
        elif group.kind != "person" and len(acronyms.get(key, [])) == 1:
            targets[key] = acronyms[key][0]
    # Only names never written in Latin script are compared by sound, and only
    # with names that are: Latin spellings in the press are conventional and exact.
    latin = [
        k for k in groups if k not in targets and any(is_latin(m.text) for m in groups[k].mentions)
    ]
    for key, group in groups.items():
        if key in targets or any(is_latin(m.text) for m in group.mentions):
            continue
        match = _sound_alike(key, latin, full_people)
        if match is not None:
            targets[key] = targets.get(match, match)
    return targets


def _acronym(words: Sequence[str], names: NameTable) -> str:
    return "".join(w[0] for w in words if w not in names.acronym_skip)


def _sound_alike(
    key: str, candidates: Sequence[str], surnames: Mapping[str, Sequence[str]]
) -> str | None:
    """The one Latin key a romanized key sounds like, or None when none or several do."""
    probe = skeleton(key)
    scored: list[tuple[float, str]] = []
    one_word = len(key.split()) == 1
    for cand in candidates:
        words = cand.split()
        if one_word and len(words) > 1:
            target = cand if len(surnames.get(words[-1], [])) == 1 else None
            score = _similar(probe, skeleton(words[-1])) if target else 0.0
        else:
            score = _similar(probe, skeleton(cand))
        if score >= FUZZY_NAME_RATIO:
            scored.append((score, cand))
    if not scored:
        return None
    scored.sort(reverse=True)
    if len(scored) > 1 and scored[1][0] == scored[0][0]:
        return None
    return scored[0][1]


def _spelling_variants(groups: Mapping[str, _Group]) -> dict[str, str]:
    """Full names that are one person spelt two ways ("Dmitri Peskov", "Dmitry Peskov").

    Romanizations of one given name differ by the letters `skeleton` levels, so two
    person keys with the same surname and the same skeleton are one name; the form
    with the most mentions (then the shorter key) stands for both.
    """
    by_sound: dict[str, list[str]] = defaultdict(list)
    for key, group in groups.items():
        if group.kind == "person" and len(key.split()) >= 2:
            by_sound[skeleton(key)].append(key)
    targets: dict[str, str] = {}
    for keys in by_sound.values():
        if len(keys) < 2:
            continue
        keep = min(keys, key=lambda k: (-len(groups[k].mentions), len(k), k))
        targets.update({k: keep for k in keys if k != keep})
    return targets


def _fold_into(groups: dict[str, _Group], targets: Mapping[str, str]) -> None:
    for source, target in sorted(targets.items()):
        if source in groups and target in groups and source != target:
            absorbed = groups.pop(source)
            groups[target].mentions.extend(absorbed.mentions)
            groups[target].votes.update(absorbed.votes)


def _resolve_descriptions(
    groups: Mapping[str, _Group], described: Sequence[Mention], dates: Mapping[str, str | None]
) -> None:
    """Give each description to the person holding that role then, if exactly one does."""
    holders: dict[str, list[tuple[str, str]]] = defaultdict(list)  # role -> (key, article)
    for key, group in groups.items():
        if group.kind != "person":
            continue
        for m in group.mentions:
            if m.role and not is_description(m):
                holders[fold(m.role)].append((key, m.article_id))
    for mention in described:
        assert mention.role is not None
        cands = holders.get(fold(mention.role), [])
        here = {k for k, a in cands if a == mention.article_id}
        chosen = here if here else _nearest_in_time(cands, dates.get(mention.article_id), dates)
        if len(chosen) == 1:
            groups[next(iter(chosen))].add(mention, vote=False)


def _nearest_in_time(
    cands: Sequence[tuple[str, str]], when: str | None, dates: Mapping[str, str | None]
) -> set[str]:
    """Keys of the holders whose role is dated nearest to `when` (all when undated)."""
    if when is None:
        return {k for k, _ in cands}
    dated = [(k, dates.get(a)) for k, a in cands]
    gaps = [(abs(_days(d) - _days(when)), k) for k, d in dated if d]
    if not gaps:
        return {k for k, _ in cands}
    best = min(g for g, _ in gaps)
    return {k for g, k in gaps if g == best}


def _days(iso: str) -> int:
    from datetime import date

    return date.fromisoformat(iso[:10]).toordinal()


def _build_actor(group: _Group, dates: Mapping[str, str | None], names: NameTable) -> Actor:
    name = _canonical_name(group, names)
    roles = {Role(m.role, m.article_id, dates.get(m.article_id)) for m in group.mentions if m.role}
    ordered_roles = sorted(
        roles, key=lambda r: (r.date is None, r.date or "", r.role, r.article_id)
    )
    mentions = sorted(group.mentions, key=lambda m: (m.article_id, m.start, m.end))
    return Actor(
        id=actor_id(name),
        name=name,
        kind=group.kind,
        aliases=tuple(sorted({m.text for m in group.mentions})),
        roles=tuple(ordered_roles),
        mentions=tuple(mentions),
    )


def _canonical_name(group: _Group, names: NameTable) -> str:
    """The longest well-formed Latin name; ties to the commoner, accented, capitalized form."""
    forms = Counter(normalize_name(m.text, names) for m in group.mentions if not is_description(m))

    def rank(form: str) -> tuple[bool, bool, int, int, bool, int, int, str]:
        words = form.split()
        well_formed = all(w[:1].isupper() for w in words if w.lower() not in names.acronym_skip)
        accents = fold(form) != form.lower()
        return (
            is_latin(form),
            well_formed,
            len(words),
            forms[form],
            accents,
            len(form),
            sum(c.isupper() for c in form),
            form,
        )

    return max(forms, key=rank) if forms else group.key


# --- lookup ------------------------------------------------------------------


def actor_for(actors: Sequence[Actor], name: str) -> Actor | None:
    """The actor `name` refers to: by name or alias, surname, acronym or sound-alike,
    else by a role only one actor holds ("the Kremlin spokesman").

    Case-, accent- and script-insensitive; None when no actor or several fit.
    """
    return ActorLookup(actors).find(name)


class ActorLookup:
    """`actor_for` over one list of actors, indexed once for many look-ups."""

    def __init__(self, actors: Sequence[Actor]) -> None:
        self.names = load_names()
        self.by_key: dict[str, set[int]] = defaultdict(set)
        self.by_name: dict[str, Actor] = {}
        self.by_role: dict[str, set[int]] = defaultdict(set)
        for i, actor in enumerate(actors):
            for form in (actor.name, *actor.aliases):
                self.by_key[name_key(form, self.names)].add(i)
            self.by_name.setdefault(name_key(actor.name, self.names), actor)
            for role in actor.roles:
                self.by_role[fold(role.role)].add(i)
        self.actors = actors

    def find(self, name: str) -> Actor | None:
        """The one actor `name` refers to, or None."""
        key = name_key(name, self.names)
        if not key:
            return None
        hit = self.by_key.get(key, set()) or self.by_role.get(fold(normalize_name(name)), set())
        if hit:
            return self.actors[next(iter(hit))] if len(hit) == 1 else None
        # Not a known form: ask the merge rules whether `name` would join one
        # actor, as a person's surname first, then as an organisation's acronym.
        query = [Mention("", name, 0, 0, "person")]
        for kind in ("person", "org"):
            groups = {
                k: _Group(k, [Mention("", f, 0, 0, a.kind) for f in (a.name, *a.aliases)], a.kind)
                for k, a in self.by_name.items()
            }
            groups[key] = _Group(key, query, kind)
            target = _absorb_target(groups, self.names).get(key)
            if target is not None:
                return self.by_name.get(target)
        return None


def assign_actor_ids(quotes: Sequence[Quote], actors: Sequence[Actor]) -> list[Quote]:
    """The quotes with each named speaker's actor id filled in (None when unknown)."""
    lookup = ActorLookup(actors)
    found: dict[str, Actor | None] = {}
    out: list[Quote] = []
    for quote in quotes:
        speaker = quote.speaker
        if speaker is None or not speaker.name:
            out.append(quote)
            continue
        if speaker.name not in found:
            found[speaker.name] = lookup.find(speaker.name)
        actor = found[speaker.name]
        out.append(replace(quote, speaker=replace(speaker, actor_id=actor.id if actor else None)))
    return out
