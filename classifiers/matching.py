"""Evidence-to-roadmap matching from several signals, combined by weights learnt on data.

For every document and every roadmap item of a school the matcher measures how much of the
item's activity and result the document speaks of (lemmas weighted by rarity within the
school, since every paper says "обучающиеся" and few say "формирующее оценивание"), how much
of the document's own title the item accounts for (a news item about a ski race shares
"принять участие" with a webinar but its title is about skiing), navec vectors for synonyms
("совещание"/"заседание"), whether the document's dates fall within the item's deadline, an
explicit "Приложение N" reference, and whether the document is the type the item promised;
a report listing dated entries is read entry by entry, and the programme's own name, cited
in half the papers, is left out first. Confirmed pairs also teach, per item word, the words
its confirming papers typically use ("консилиум" → "представления классных руководителей"):
a supervised synonym table kept with the background (`associations_from`).
A logistic model turns the signals into a probability; its weights and the threshold are
learnt on generated schools kept apart from the sample (`classifiers/train_matcher.py`) and
stored in `classifiers/matcher.toml`, so an analyst can read and retrain them. Rarity is also
measured across the dev schools (`matcher_background.json`, learnt by the same `fit`), and each
pair is compared with the best document for its item as well as the best item for its document.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Sequence
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path

import numpy as np
from pydantic import BaseModel, Field

from classifiers.lemmas import lemmas
from expert_sheet.settings import load_toml
from extractors.deadlines import parse_deadline

SETTINGS_PATH = Path(__file__).with_name("matcher.toml")
BACKGROUND_PATH = Path(__file__).with_name("matcher_background.json")
FEATURES = (
    "activity_overlap",
    "result_overlap",
    "title_coverage",
    "vector_similarity",
    "relative_to_best",
    "item_relative",
    "date_inside",
    "date_outside",
    "appendix_reference",
    "type_promised",
    "soft_activity",
    "soft_result",
    "text_vector",
    "best_for_document",
    "best_for_item",
    "passage_coverage",
    "passage_relative",
    "shared_weight",
    "report_passage",
    "dated_entry",
    "date_exact",
    "typical_wording",
    "typical_relative",
    "typical_best",
    "wording_known",
)
# The second pass's own inputs, computed from the first pass's probabilities.
RANK_FEATURES = (
    "first_pass",
    "first_pass_relative_document",
    "first_pass_relative_item",
    "first_pass_best_document",
    "first_pass_best_item",
)
_APPENDIX_IN_NAME = re.compile(r"прил(?:ожени[еяию]|\.)?\s*№?\s*(\d+)", re.I)
# A sentence may end right after a date ("от 15.03.2022."); a version number may not.
_NUMERIC_DATE = re.compile(r"(?<![\d.])\d{1,2}\.\d{1,2}\.(?:\d{4}|\d{2})(?!\d|\.\d)")
_TEXT_DATE = re.compile(
    r"\b\d{1,2}\s+(?:январ|феврал|март|апрел|ма[яй]|июн|июл|август|сентябр|октябр|ноябр|декабр)"
    r"\w*\s+\d{4}",
    re.I,
)
# A document dated a little after an event still reports on it.
DATE_SLACK = timedelta(days=14)
# An item that is one event: its deadline spans at most this many days, and a paper dated
# within EVENT_SLACK of it is about that event.
EVENT_DAYS = 7
EVENT_SLACK = timedelta(days=2)
# A narrative report gives each activity a short paragraph: passages of this many content
# words, overlapping by half, find an item told in one paragraph of a long text.
PASSAGE_WORDS = 30
DATE_SCAN_CHARS = 4000
# A report "in the naming order" lists what was done, a date opening each entry
# ("2. 17.01.2022 — маршруты составлены педагогами ..."): each entry is a small document of its
# own, told in other words than the roadmap's and dated within its item's deadline.
_ENTRY_START = re.compile(
    r"(?m)^[ \t]*(?:\d{1,2}[.)][ \t]*)?"
    r"(\d{1,2}\.\d{1,2}\.(?:\d{4}|\d{2})|\d{1,2}\s+(?:январ|феврал|март|апрел|ма[яй]|июн|июл"
    r"|август|сентябр|октябр|ноябр|декабр)\w*\s+\d{4})(?:\s*г\.?)?\s*[-–—:|]"
)
ENTRY_CHARS = 400
# Words sharing their first letters share a root often enough to count as the same word
# when a paraphrase turns a noun into a verb ("проведение"/"провели", "участие"/"участвовали").
STEM_CHARS = 5
# "в рамках программы антирисковых мер «Несформированность внутришкольной системы повышения
# квалификации»": the programme's name is in half the school's papers and says nothing of
# which activity a paper proves, yet it shares its words with some items ("Педсовет «Итоги
# работы внутришкольной системы повышения квалификации»").
_PROGRAMME_NAME = re.compile(
    r"(программ\w*\s+антирисков\w*\s+мер\w*|АРП)(?:\s+по\s+(?:направлению|риску|фактору))?"
    r"\s*[«\"„“][^»\"”“]{3,250}[»\"”“]",
    re.I,
)
# "Во исполнение дорожной карты программы антирисковых мер", "в соответствии с программой
# антирисковых мер": the programme cited as the basis of an order or a report is not its
# subject, yet it made every such order a match for "Утверждение программы антирисковых мер".
_PROGRAMME_AS_BASIS = re.compile(
    r"(?:во\s+исполнение|в\s+рамках(?:\s+реализации)?|в\s+соответствии\s+с|согласно"
    r"|в\s+ходе\s+реализации|на\s+основании|в\s+целях\s+реализации)\s+"
    # "На основании плана работы школы на 2021/2022 учебный год и программы антирисковых мер":
    # the programme may be the second basis named.
    r"(?:[^.;:]{0,100}?\s+и\s+)?(?:дорожн\w+\s+карт\w+\s+)?"
    r"(?:программ\w*\s+антирисков\w*\s+мер\w*|АРП)",
    re.I,
)
# An item word's typical document words are learnt from this many confirmed pairs at least:
# fewer is one school's accident, not how the activity is written up.
ASSOCIATION_MIN_PAIRS = 3
# Papers that tell of several activities: a narrative report, a protocol with an agenda of
# several points. Their other items get the report threshold, not the stricter extra one.
MANY_TOPICS = frozenset({"report", "protocol"})


class MatchSettings(BaseModel):
    """Learnt weights of the signals and the decision threshold (see matcher.toml)."""

    weights: dict[str, float] = Field(default_factory=lambda: dict.fromkeys(FEATURES, 0.0))
    intercept: float = 0.0
    threshold: float = 0.5
    # A document usually confirms one item: items other than its most probable one need more,
    # except in narrative reports, which tell of several activities (both learnt in `fit`).
    # Below `threshold` (the default) they change nothing: one threshold for every pair.
    extra_threshold: float = 0.0
    report_extra_threshold: float = 0.0
    # Title-zone lemmas count this many times a body lemma when measuring overlap.
    title_weight: float = 2.0
    # Second pass (learnt in `fit`): the first pass's probability compared with the
    # document's other items and the item's other documents, next to the signals. Empty:
    # the first pass decides alone.
    rank_weights: dict[str, float] = Field(default_factory=dict)
    rank_intercept: float = 0.0

    def final(self) -> tuple[dict[str, float], float]:
        """Per signal, its whole weight in the probability's log-odds, and the intercept.
        The second pass weighs the first pass's log-odds, itself a weighted sum of the
        signals: that part is handed back to the signals, so an explanation names what was
        found in the document, not "the first pass was sure"."""
        if not self.rank_weights:
            return self.weights, self.intercept
        through = self.rank_weights.get("first_pass", 0.0)
        weights = {
            f: self.rank_weights.get(f, 0.0) + through * self.weights.get(f, 0.0)
            for f in FEATURES
        }
        weights.update({f: self.rank_weights.get(f, 0.0) for f in RANK_FEATURES[1:]})
        return weights, self.rank_intercept + through * self.intercept


def load_match_settings(path: Path | None = None) -> MatchSettings:
    return load_toml(path or SETTINGS_PATH, MatchSettings)


class Background(BaseModel):
    """In how many documents of the dev schools each lemma occurs: "провести", "школа" and
    "программа антирисковых мер" are in most papers of every school, "Лускановой" in few. A
    school has too few documents to learn that on its own, so `fit` learns it across schools
    and stores it next to the weights (matcher_background.json)."""

    documents: int = 0
    df: dict[str, int] = Field(default_factory=dict)
    # Per item lemma, the document lemmas that confirming papers use far more often than papers
    # at large, each profile summing to 1 (`associations_from`): a ППк item is proved by a
    # protocol speaking of "представления классных руководителей", a word the item never says.
    associations: dict[str, dict[str, float]] = Field(default_factory=dict)

    def weight(self, word: str) -> float:
        if not self.documents:
            return 1.0
        return math.log((1 + self.documents) / (1 + self.df.get(word, 0))) + 1.0


def background_from(bags: Sequence[set[str]], min_df: int = 2) -> Background:
    df = Counter(w for bag in bags for w in bag)
    return Background(documents=len(bags), df={w: c for w, c in sorted(df.items()) if c >= min_df})


def associations_from(
    confirmed: Sequence[tuple[set[str], set[str]]],
    doc_bags: Sequence[set[str]],
    min_pairs: int = ASSOCIATION_MIN_PAIRS,
) -> dict[str, dict[str, float]]:
    """From confirmed (item words, document words) pairs: per item word, the document words
    seen with it in at least `min_pairs` confirmations and more often than in `doc_bags` (all
    papers) at large, weighted by pointwise mutual information times how often they come with
    it, and normalised to sum to 1. A supervised synonym table, learnt from what experts (or
    the dev data's truth) confirmed rather than from what the words mean in general."""
    df = Counter(w for bag in doc_bags for w in bag)
    n_docs = max(1, len(doc_bags))
    together: dict[str, Counter[str]] = {}
    pairs: Counter[str] = Counter()
    for item_words, doc_words in confirmed:
        for word in item_words:
            pairs[word] += 1
            together.setdefault(word, Counter()).update(doc_words)
    out: dict[str, dict[str, float]] = {}
    for word in sorted(together):
        profile = {}
        for seen, count in together[word].items():
            share = count / pairs[word]
            if count >= min_pairs and df[seen] and share > df[seen] / n_docs:
                profile[seen] = math.log(share * n_docs / df[seen]) * share
        total = sum(profile.values())
        if total > 0:
            out[word] = {w: round(v / total, 5) for w, v in sorted(profile.items())}
    return out


def _typical_profile(bag: set[str], associations: dict[str, dict[str, float]]) -> tuple[
    dict[str, float], float
]:
    """An item's typical document words (its known words' profiles averaged) and the share of
    its words that have a profile at all: an item worded as no confirmed item was before has
    no typical words, which says nothing against a document."""
    known = [associations[w] for w in sorted(bag) if w in associations]
    # A plain loop: Counter.update costs 1.6 times as much (a school's items merge about
    # 30 profiles of 100 words each).
    merged: dict[str, float] = {}
    get = merged.get
    for profile in known:
        for word, value in profile.items():
            merged[word] = get(word, 0.0) + value
    n = len(known)
    return ({w: v / n for w, v in merged.items()} if n else {}), n / max(1, len(bag))


@lru_cache(maxsize=4)
def _load_background(path: Path) -> Background:
    if not path.exists():
        return Background()
    return Background.model_validate(json.loads(path.read_text(encoding="utf-8")))


def load_background(path: Path | None = None) -> Background:
    return _load_background(path or BACKGROUND_PATH)


class ItemText(BaseModel):
    number: str
    activity: str
    result: str = ""  # indicator, expected result, planned confirming document
    start: date | None = None
    end: date | None = None
    expected_type: str | None = None
    refs: list[str] = Field(default_factory=list)

    @property
    def text(self) -> str:
        return f"{self.activity} {self.result}".strip()


class DocText(BaseModel):
    name: str
    title: str
    body: str
    doc_type: str = "other"


class Match(BaseModel):
    document: str
    item: str
    score: float  # probability that the document confirms the item
    signals: dict[str, float] = Field(default_factory=dict)
    words: list[str] = Field(default_factory=list)
    dates: list[str] = Field(default_factory=list)
    typical: list[str] = Field(default_factory=list)
    # How much each signal pushed the log-odds (learnt weight × value): the explanation's data.
    contributions: dict[str, float] = Field(default_factory=dict)
    reason: str = ""


class MatchResult(BaseModel):
    matches: list[Match] = Field(default_factory=list)
    off_plan: list[str] = Field(default_factory=list)


@lru_cache(maxsize=1)
def _embedding():  # natasha.NewsEmbedding: untyped
    """navec vectors shipped inside natasha's package: no download, ~1 s, once a process."""
    from natasha import NewsEmbedding

    return NewsEmbedding()


@lru_cache(maxsize=50_000)
def _vector(word: str) -> np.ndarray | None:
    """One navec look-up per word and process: a school asks for the same words thousands of
    times (every item against every document). navec rebuilds each vector from its quantised
    table (1.2 KB), so the cache holds at most about 60 MB."""
    return _embedding().get(word)


def _known_vectors(words: Sequence[str]) -> tuple[list[str], np.ndarray]:
    """The words navec knows and their vectors, one row each."""
    known, rows = [], []
    for w in words:
        v = _vector(w)
        if v is not None:
            known.append(w)
            rows.append(v)
    if not rows:
        return [], np.zeros((0, 300), dtype=np.float32)
    return known, np.asarray(rows, dtype=np.float32)


def _mean_vector(words: Sequence[str], idf: dict[str, float]) -> np.ndarray | None:
    known, m = _known_vectors(words)
    if not known:
        return None
    weights = np.asarray([idf.get(w, 1.0) for w in known])
    # np.average's own arithmetic, without its argument checks: half the time (a school
    # asks for about 35 mean vectors), the same vector to the last bit.
    mean = np.multiply(m, weights[:, None]).sum(axis=0) / weights.sum()
    norm = float(np.linalg.norm(mean))
    return mean / norm if norm else None


def _word_matrix(words: Sequence[str]) -> tuple[list[str], np.ndarray]:
    """The words navec knows and their unit vectors, one row each."""
    known, m = _known_vectors(words)
    return known, m / np.maximum(np.linalg.norm(m, axis=1, keepdims=True), 1e-6)


def _stem(word: str) -> str:
    return word[:STEM_CHARS]


def _stems(words: set[str]) -> set[str]:
    """The stems of a document's words long enough to have one (see `STEM_CHARS`)."""
    return {_stem(w) for w in words if len(w) > STEM_CHARS}


def _nearest(words: list[str], unit: np.ndarray, matrix: np.ndarray) -> dict[str, np.floating]:
    """Each of `words` (rows of `unit`, see `_word_matrix`) with the similarity of its
    nearest word in a text (rows of `matrix`), clipped to 0..1. One product for all the
    school's item words against the text, not one per item and text."""
    if not words or not len(matrix):
        return {}
    return dict(zip(words, np.clip((unit @ matrix.T).max(axis=1), 0.0, 1.0), strict=True))


def _soft_coverage(
    bag: set[str],
    doc_words: set[str],
    doc_stems: set[str],
    nearest: dict[str, np.floating],
    idf: dict[str, float],
) -> float:
    """Share of the item's words the document speaks of, where a word the document lacks
    counts if the document has a word of the same stem ("разработка" finds "разработана":
    lemmas keep the noun and the verb apart) or else by its nearest navec neighbour in the
    document ("заседание" finds "совещание"; `nearest`, see `_nearest`)."""
    total = sum(idf[w] for w in bag)
    if not total:
        return 0.0
    same = {w for w in bag - doc_words if len(w) > STEM_CHARS and _stem(w) in doc_stems}
    missing = sorted(bag - doc_words - same)
    covered = sum(idf[w] for w in (bag & doc_words) | same)
    if nearest:
        covered += float(sum(idf[w] * nearest[w] for w in missing if w in nearest))
    return covered / total


def passages(words: Sequence[str], size: int = PASSAGE_WORDS) -> list[set[str]]:
    step = max(1, size // 2)
    return [set(words[k : k + size]) for k in range(0, max(1, len(words) - step), step)]


def _passage_coverage(bag: set[str], parts: list[set[str]], idf: dict[str, float]) -> float:
    """The best share of the item's words found together in one passage of the document."""
    total = sum(idf[w] for w in bag)
    if not total or not parts:
        return 0.0
    return max(sum(idf[w] for w in bag & part) for part in parts) / total


def document_dates(text: str) -> list[date]:
    """Dates written in the document (its own date, the event's date), in order."""
    head = text[:DATE_SCAN_CHARS]
    found: list[date] = []
    for match in [*_NUMERIC_DATE.finditer(head), *_TEXT_DATE.finditer(head)]:
        d = parse_deadline(match.group(0))
        if d.precision == "day" and d.end is not None:
            found.append(d.end)
    return found


def dated_entries(text: str) -> list[tuple[date, list[str]]]:
    """The entries of a dated list in the document, each with its date and lemmas; fewer than
    two such entries are no list."""
    starts = list(_ENTRY_START.finditer(text))
    if len(starts) < 2:
        return []
    out = []
    for k, m in enumerate(starts):
        end = starts[k + 1].start() if k + 1 < len(starts) else len(text)
        d = parse_deadline(m.group(1))
        if d.precision == "day" and d.end is not None:
            out.append((d.end, lemmas(text[m.end() : min(end, m.end() + ENTRY_CHARS)])))
    return out if len(out) >= 2 else []


def _entry_signal(
    items: Sequence[ItemText],
    acts: Sequence[set[str]],
    entries: Sequence[tuple[date, list[str]]],
    idf: dict[str, float],
    item_words: tuple[list[str], np.ndarray],
) -> list[float]:
    """Per item: how well the dated entry that tells of it covers its activity (synonyms
    count), where an entry tells of the item whose deadline holds its date (or that has no
    deadline to hold it) and whose words it covers best; 0 for an item no entry is about."""
    out = [0.0] * len(items)
    for when, words in entries:
        bag = set(words)
        stems = _stems(bag)
        nearest = _nearest(*item_words, _word_matrix(sorted(bag))[1])
        best, best_k = 0.0, -1
        for k, item in enumerate(items):
            if _date_signals(item, [when])[1]:
                continue
            cover = _soft_coverage(acts[k], bag, stems, nearest, idf)
            if cover > best:
                best, best_k = cover, k
        if best_k >= 0:
            out[best_k] = max(out[best_k], best)
    return out


def _idf(bags: Sequence[set[str]], background: Background | None = None) -> dict[str, float]:
    """Rarity within the school, times rarity across schools when a background is given."""
    df = Counter(w for bag in bags for w in bag)
    n = len(bags)
    bg = background or Background()
    return {w: (math.log((1 + n) / (1 + c)) + 1.0) * bg.weight(w) for w, c in df.items()}


def _coverage(
    bag: set[str], title: set[str], body: set[str], idf: dict[str, float], title_weight: float
) -> float:
    total = sum(idf[w] for w in bag)
    if not total:
        return 0.0
    covered = sum(
        idf[w] * (1.0 if w in title else 1.0 / title_weight) for w in bag if w in title or w in body
    )
    return covered / total


def _appendix_number(name: str) -> str | None:
    match = _APPENDIX_IN_NAME.search(name)
    return match.group(1) if match else None


class PairFeatures(BaseModel):
    """The signals of every (document, item) pair of one school, with what explains them."""

    doc_index: list[int]
    item_index: list[int]
    values: list[list[float]]
    words: list[list[str]]
    dates: list[list[str]]
    # The document's words typical of papers confirming the item (see `associations_from`).
    typical: list[list[str]] = Field(default_factory=list)


def without_programme_name(doc: DocText) -> DocText:
    """The document with the programme's quoted name and its citation as the basis left out
    (see `_PROGRAMME_NAME`, `_PROGRAMME_AS_BASIS`)."""
    title = _PROGRAMME_AS_BASIS.sub("", _PROGRAMME_NAME.sub(r"\1", doc.title))
    body = _PROGRAMME_AS_BASIS.sub("", _PROGRAMME_NAME.sub(r"\1", doc.body))
    if title == doc.title and body == doc.body:
        return doc
    return doc.model_copy(update={"title": title, "body": body})


def doc_bag(doc: DocText) -> set[str]:
    doc = without_programme_name(doc)
    return set(lemmas(doc.title)) | set(lemmas(doc.body))


_COL = {name: k for k, name in enumerate(FEATURES)}


def pair_features(
    items: Sequence[ItemText],
    docs: Sequence[DocText],
    title_weight: float = 2.0,
    background: Background | None = None,
) -> PairFeatures:
    docs = [without_programme_name(d) for d in docs]
    act = [set(lemmas(i.activity)) for i in items]
    res = [set(lemmas(i.result)) for i in items]
    titles = [set(lemmas(d.title)) for d in docs]
    bodies = [set(lemmas(d.body)) for d in docs]
    idf = _idf(
        [a | r for a, r in zip(act, res, strict=True)]
        + [t | b for t, b in zip(titles, bodies, strict=True)],
        background,
    )
    item_vecs = [_mean_vector(sorted(a), idf) for a in act]
    doc_vecs = [_mean_vector(lemmas(d.title), idf) for d in docs]
    item_text_vecs = [_mean_vector(sorted(a | r), idf) for a, r in zip(act, res, strict=True)]
    doc_words = [t | b for t, b in zip(titles, bodies, strict=True)]
    doc_text_vecs = [_mean_vector(sorted(w), idf) for w in doc_words]
    # The item words navec knows, as unit vectors: each text is compared with all at once.
    item_words = _word_matrix(sorted(set().union(*act, *res)))
    doc_nearest = [_nearest(*item_words, _word_matrix(sorted(w))[1]) for w in doc_words]
    doc_stems = [_stems(w) for w in doc_words]
    texts = [f"{d.title}\n{d.body}" for d in docs]
    doc_passages = [passages(lemmas(t)) for t in texts]
    doc_dates = [document_dates(t) for t in texts]
    doc_entries = [dated_entries(t) for t in texts]
    associations = background.associations if background is not None else {}
    profiles = [_typical_profile(a | r, associations) for a, r in zip(act, res, strict=True)]
    out = PairFeatures(doc_index=[], item_index=[], values=[], words=[], dates=[])
    for di, doc in enumerate(docs):
        appendix = _appendix_number(doc.name)
        entry = _entry_signal(items, act, doc_entries[di], idf, item_words)
        rows = []
        title_total = sum(idf[w] for w in titles[di]) or 1.0
        for ii, item in enumerate(items):
            f = dict.fromkeys(FEATURES, 0.0)
            bag = act[ii] | res[ii]
            f["activity_overlap"] = _coverage(act[ii], titles[di], bodies[di], idf, title_weight)
            f["result_overlap"] = _coverage(res[ii], titles[di], bodies[di], idf, title_weight)
            f["title_coverage"] = sum(idf[w] for w in titles[di] & bag) / title_total
            f["vector_similarity"] = _cosine(item_vecs[ii], doc_vecs[di])
            f["date_inside"], f["date_outside"], shown = _date_signals(item, doc_dates[di])
            f["date_exact"] = _date_exact(item, doc_dates[di])
            named = bool(appendix) and f"Приложение {appendix}" in item.refs
            f["appendix_reference"] = float(named)
            f["type_promised"] = float(
                item.expected_type is not None and doc.doc_type == item.expected_type
            )
            seen = doc_words[di], doc_stems[di], doc_nearest[di]
            f["soft_activity"] = _soft_coverage(act[ii], *seen, idf)
            f["soft_result"] = _soft_coverage(res[ii], *seen, idf)
            f["text_vector"] = _cosine(item_text_vecs[ii], doc_text_vecs[di])
            f["passage_coverage"] = _passage_coverage(bag, doc_passages[di], idf)
            # A report tells of several activities, each in its own passage.
            if doc.doc_type == "report":
                f["report_passage"] = f["passage_coverage"]
            # Coverage is a share: an item of common words ("утверждение программы антирисковых
            # мер") is fully covered by any order citing the АРП; how much rare vocabulary is
            # shared tells the two apart.
            f["dated_entry"] = entry[ii]
            shared = bag & doc_words[di]
            f["shared_weight"] = math.log1p(sum(idf[w] for w in shared))
            typical, f["wording_known"] = profiles[ii]
            # One intersection in C rather than a test per document word in Python: this
            # runs for every item and document pair of the school.
            found = sorted(doc_words[di] & typical.keys())
            f["typical_wording"] = sum(typical[w] for w in found)
            out.typical.append(sorted(found, key=lambda w: (-typical[w], w))[:5])
            rows.append([f[name] for name in FEATURES])
            out.words.append(sorted(shared, key=lambda w: (-idf[w], w))[:8])
            out.dates.append(shown)
            out.doc_index.append(di)
            out.item_index.append(ii)
        # Document-side competition: this item against the document's best covered item.
        _relative(rows, "activity_overlap", "relative_to_best")
        _relative(rows, "passage_coverage", "passage_relative")
        _mark_best(rows, "best_for_document")
        _against_best(rows, "typical_wording", "typical_relative", "typical_best")
        out.values.extend(rows)
    # Item-side competition: how this document's overlap compares with the best document's
    # for the same item (an order merely mentioning the АРП against the order approving it).
    n_items = len(items)
    for ii in range(n_items):
        col = [out.values[di * n_items + ii] for di in range(len(docs))]
        _relative(col, "activity_overlap", "item_relative")
        _mark_best(col, "best_for_item")
    return out


def _cosine(a: np.ndarray | None, b: np.ndarray | None) -> float:
    return float(np.dot(a, b)) if a is not None and b is not None else 0.0


def _relative(rows: list[list[float]], source: str, target: str) -> None:
    best = max((row[_COL[source]] for row in rows), default=0.0)
    for row in rows:
        row[_COL[target]] = row[_COL[source]] / best if best else 0.0


def _against_best(rows: list[list[float]], source: str, gap: str, flag: str) -> None:
    """How far each row's `source` falls short of the document's best row, and which row is
    that best (none when every row is 0)."""
    best = max((row[_COL[source]] for row in rows), default=0.0)
    for row in rows:
        row[_COL[gap]] = row[_COL[source]] - best
        row[_COL[flag]] = float(best > 0 and row[_COL[source]] == best)


def _closeness(row: list[float]) -> tuple[float, float]:
    """The activity's words shared, then synonyms as the tie-break (near neighbours exist for
    any text). Not the result's: "протокол", "справка" are shared by every item's result."""
    return row[_COL["activity_overlap"]], row[_COL["soft_activity"]]


def _mark_best(rows: list[list[float]], target: str) -> None:
    """Flag the row whose words cover the item best: a document's own topic is usually one
    item, and an item's evidence the document most about it. No shared word, no flag."""
    if rows:
        top = max(range(len(rows)), key=lambda k: _closeness(rows[k]))
        if _closeness(rows[top])[0] > 0:
            rows[top][_COL[target]] = 1.0


def _date_signals(item: ItemText, dates: list[date]) -> tuple[float, float, list[str]]:
    if not dates or (item.start is None and item.end is None):
        return 0.0, 0.0, []
    # "До 20.05" has no start and "Март-" no end: the open side is open, not a day wide.
    lo = item.start - DATE_SLACK if item.start else date.min
    hi = item.end + DATE_SLACK if item.end else date.max
    inside = [d for d in dates if lo <= d <= hi]
    if inside:
        return 1.0, 0.0, [d.isoformat() for d in inside[:3]]
    return 0.0, 1.0, [d.isoformat() for d in dates[:3]]


def _date_exact(item: ItemText, dates: list[date]) -> float:
    """1 when the item is one event (a deadline of a day or a few) and the document bears its
    date: the protocol "от 24.03.2022" of the seminar planned for 24.03.2022. Being inside a
    window of months says much less."""
    if item.start is None or item.end is None or (item.end - item.start).days > EVENT_DAYS:
        return 0.0
    lo, hi = item.start - EVENT_SLACK, item.end + EVENT_SLACK
    return float(any(lo <= d <= hi for d in dates))


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


def rank_features(first: np.ndarray, doc_ids: Sequence[int], item_ids: Sequence[int]) -> np.ndarray:
    """Per pair: the first pass's log-odds, its share of the best probability among the
    document's items and among the item's documents, and whether it is that best. A document
    is usually about one item, and an item's evidence the paper most about it; the first
    pass sees each pair alone."""
    p = np.clip(first, 1e-4, 1 - 1e-4)
    docs, items = np.asarray(doc_ids, dtype=int), np.asarray(item_ids, dtype=int)
    out = np.zeros((len(p), len(RANK_FEATURES)))
    if not len(p):
        return out
    doc_top = np.zeros(int(docs.max()) + 1)
    item_top = np.zeros(int(items.max()) + 1)
    np.maximum.at(doc_top, docs, p)
    np.maximum.at(item_top, items, p)
    out[:, 0] = np.log(p / (1 - p))
    out[:, 1] = p / doc_top[docs]
    out[:, 2] = p / item_top[items]
    out[:, 3] = out[:, 1] == 1.0
    out[:, 4] = out[:, 2] == 1.0
    return out


def first_pass(x: np.ndarray, settings: MatchSettings) -> np.ndarray:
    w = np.asarray([settings.weights.get(f, 0.0) for f in FEATURES])
    return _sigmoid(x @ w + settings.intercept)


def second_pass_inputs(
    x: np.ndarray, first: np.ndarray, doc_ids: Sequence[int], item_ids: Sequence[int]
) -> np.ndarray:
    return np.hstack([rank_features(first, doc_ids, item_ids), x])


def probabilities(features: PairFeatures, settings: MatchSettings) -> np.ndarray:
    """The signals' probability (first pass), then, when learnt, the second pass's."""
    return _passes(features, settings)[1]


def _passes(features: PairFeatures, settings: MatchSettings) -> tuple[np.ndarray, np.ndarray]:
    """The second pass's inputs (rank features then signals) and the final probabilities."""
    if not features.values:
        return np.zeros((0, len(RANK_FEATURES) + len(FEATURES))), np.zeros(0)
    x = np.asarray(features.values, dtype=float)
    first = first_pass(x, settings)
    z = second_pass_inputs(x, first, features.doc_index, features.item_index)
    if not settings.rank_weights:
        return z, first
    w = np.asarray([settings.rank_weights.get(f, 0.0) for f in RANK_FEATURES + FEATURES])
    return z, _sigmoid(z @ w + settings.rank_intercept)


def match_documents(
    items: Sequence[ItemText],
    docs: Sequence[DocText],
    settings: MatchSettings | None = None,
    background: Background | None = None,
) -> MatchResult:
    """Matches above the learnt threshold; a document with none is off-plan. `settings` and
    `background` default to the shipped ones (matcher.toml, matcher_background.json)."""
    settings = settings or load_match_settings()
    result = MatchResult()
    if not docs:
        return result
    if not items:
        result.off_plan = [d.name for d in docs]
        return result
    if background is None:
        background = load_background()
    feats = pair_features(items, docs, settings.title_weight, background)
    inputs, probs = _passes(feats, settings)
    # The roadmap row naming the file is the school's own statement of the link: decisive,
    # whatever the weights (generated schools rarely name appendices, so none is learnt).
    ref = FEATURES.index("appendix_reference")
    probs = np.where([row[ref] > 0 for row in feats.values], np.maximum(probs, 0.99), probs)
    keep = assign(feats.doc_index, probs, [d.doc_type for d in docs], settings)
    matched: set[int] = set()
    for k, p in enumerate(probs):
        if not keep[k]:
            continue
        di, ii = feats.doc_index[k], feats.item_index[k]
        names = (RANK_FEATURES if settings.rank_weights else ()) + FEATURES
        values = inputs[k] if settings.rank_weights else inputs[k][len(RANK_FEATURES) :]
        signals = dict(zip(names, (round(float(v), 3) for v in values), strict=True))
        m = Match(
            document=docs[di].name,
            item=items[ii].number,
            score=round(float(p), 3),
            signals=signals,
            words=feats.words[k],
            dates=feats.dates[k],
            typical=feats.typical[k],
        )
        m.contributions = contributions(signals, settings)
        m.reason = explain(m, settings)
        result.matches.append(m)
        matched.add(di)
    result.off_plan = [d.name for i, d in enumerate(docs) if i not in matched]
    return result


def assign(
    doc_index: Sequence[int], probs: np.ndarray, doc_types: Sequence[str], settings: MatchSettings
) -> np.ndarray:
    """Which pairs are matches: a document's most probable item above `threshold`, its other
    items above the stricter extra threshold (the report one for reports)."""
    keep = np.zeros(len(probs), dtype=bool)
    best: dict[int, int] = {}
    for k, di in enumerate(doc_index):
        if di not in best or probs[k] > probs[best[di]]:
            best[di] = k
    for k, di in enumerate(doc_index):
        if best[di] == k:
            limit = settings.threshold
        elif doc_types[di] in MANY_TOPICS:
            limit = max(settings.threshold, settings.report_extra_threshold)
        else:
            limit = max(settings.threshold, settings.extra_threshold)
        keep[k] = probs[k] >= limit
    return keep


_SAYS = {
    "activity_overlap": "совпадают слова мероприятия ({v:.0%}): {words}",
    "result_overlap": "совпадает ожидаемый результат ({v:.0%})",
    "title_coverage": "заголовок документа о том же ({v:.0%})",
    "vector_similarity": "близкие по смыслу слова в заголовке ({v:.2f})",
    "date_inside": "дата документа в сроке мероприятия: {dates}",
    "date_exact": "документ датирован днём мероприятия: {dates}",
    "type_promised": "документ того типа, что обещан в результате мероприятия",
    "soft_activity": "слова мероприятия или их синонимы есть в тексте ({v:.0%})",
    "soft_result": "ожидаемый результат или его синонимы есть в тексте ({v:.0%})",
    "text_vector": "текст документа близок по смыслу ({v:.2f})",
    "best_for_document": "из всех мероприятий документ ближе всего к этому",
    "best_for_item": "из всех документов этот ближе всего к мероприятию",
    "passage_coverage": "мероприятие описано в одном абзаце ({v:.0%})",
    "report_passage": "отчёт описывает мероприятие в отдельном абзаце ({v:.0%})",
    "dated_entry": "пункт отчёта с датой в сроке мероприятия говорит о нём ({v:.0%})",
    "shared_weight": "общие редкие слова: {words}",
    "typical_wording": "в документе слова, которыми обычно подтверждают такое мероприятие: "
    "{typical}",
    "typical_best": "по таким словам документ ближе всего к этому мероприятию",
    "first_pass": "признаки в совокупности за ({v:+.1f})",
    "first_pass_best_document": "по совокупности признаков документ ближе всего к этому",
    "first_pass_best_item": "по совокупности признаков это лучший документ для мероприятия",
}


def contributions(signals: dict[str, float], settings: MatchSettings) -> dict[str, float]:
    """Each signal's push on the log-odds (weight × value), the strongest first; with them
    and the intercept of `MatchSettings.final` the log-odds add up."""
    weights, _ = settings.final()
    pushes = {f: round(weights.get(f, 0.0) * v, 3) for f, v in signals.items()}
    if "first_pass" in signals and settings.rank_weights:
        # The first pass's log-odds enter the second clipped at ±9.2: what the clip took off.
        raw = sum(settings.weights.get(f, 0.0) * signals.get(f, 0.0) for f in FEATURES)
        off = signals["first_pass"] - raw - settings.intercept
        pushes["first_pass"] = round(settings.rank_weights.get("first_pass", 0.0) * off, 3)
    return dict(sorted(((f, w) for f, w in pushes.items() if w), key=lambda fw: -abs(fw[1])))


def explain(m: Match, settings: MatchSettings) -> str:
    """The signals that pushed this match, strongest first, in the expert's words."""
    parts = []
    if m.signals.get("appendix_reference"):
        parts.append("файл назван в строке дорожной карты как приложение")
    for name, push in contributions(m.signals, settings).items():
        if push > 0.05 and name in _SAYS:
            parts.append(
                _SAYS[name].format(
                    v=m.signals[name],
                    words=", ".join(m.words[:5]),
                    dates=", ".join(m.dates),
                    typical=", ".join(m.typical[:5]),
                )
            )
    return f"вероятность {m.score:.2f}: " + "; ".join(parts[:4])
