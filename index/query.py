"""User queries and filters: tantivy syntax when it parses, plain words (with a notice) when not.

Syntax: "quoted phrases", AND / OR / -word, title:word, outlet:name. The semantic leg sees the
query's words without the syntax; highlighting uses the stems of its positive words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import tantivy

# Not highlighted (they still count for BM25).
STOPWORDS = frozenset(
    "a an and are as at be but by did do does for from had has have he her his how i in into is it its many "
    "much of on or she that the their them there they this to was were what when where which who why will "
    "with".split()
)
_FIELD = re.compile(r"\b(title|outlet|text):", re.IGNORECASE)
_OUTLET_CLAUSE = re.compile(r'(?<![\w-])-?outlet:("[^"]*"|\S+)', re.IGNORECASE)
_NEGATED = re.compile(r'(?<![\w-])-("[^"]*"|\S+)')
_OPERATORS = re.compile(r"\b(AND|OR|NOT)\b")
_WORD = re.compile(r"[^\W_]+")
_PHRASE = re.compile(r'"([^"]+)"')
# What marks a query as using the syntax: quotes, AND/OR/NOT, a leading - or +, or a field prefix.
_SYNTAX = re.compile(r'"|\b(AND|OR|NOT)\b|(?:^|\s)[-+]\S|\b(?i:title|outlet|text):')


@dataclass(frozen=True)
class ParsedQuery:
    """`lexical` ranks article entries (field `all`); `passage` finds chunks (field `text`)."""

    text: str
    lexical: tantivy.Query | None
    semantic_text: str
    stems: frozenset[str]
    phrases: tuple[str, ...]
    notice: str | None = None
    negated: tantivy.Query | None = None  # what results must not contain (applied to both legs)
    passage: tantivy.Query | None = None

    @property
    def exact(self) -> bool:
        """A quoted phrase: articles that contain it come before those that only resemble it."""
        return bool(self.phrases)


@lru_cache(maxsize=1)
def _analyzer() -> tantivy.TextAnalyzer:
    return (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.stemmer("english"))
        .build()
    )


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """The en_stem form of one word, as the lexical index stores it."""
    stems = _analyzer().analyze(word)
    return stems[0] if stems else word.lower()


ARTICLE_FIELDS = ["all"]
PASSAGE_FIELDS = ["text"]


def parse_query(index: tantivy.Index, chunk_index: tantivy.Index, text: str) -> ParsedQuery:
    """Parse user input leniently: it never raises for any string."""
    text = text.strip()
    plain = _plain_words(text)
    positive = _OUTLET_CLAUSE.sub(" ", _NEGATED.sub(" ", text))
    words = _WORD.findall(_FIELD.sub(" ", _OPERATORS.sub(" ", positive)))
    stems = frozenset(stem(w) for w in words if w.lower() not in STOPWORDS)
    phrases = tuple(p.strip() for p in _PHRASE.findall(positive) if p.strip())
    if not plain and not _OUTLET_CLAUSE.search(text):
        return ParsedQuery(text, None, "", frozenset(), ())
    if not _SYNTAX.search(text):  # a plain question: its words, without phrase or operator readings
        plain_text = " ".join(w.lower() for w in _WORD.findall(text))
        article = index.parse_query(plain_text, ARTICLE_FIELDS)
        passage = chunk_index.parse_query(plain_text, PASSAGE_FIELDS)
        return ParsedQuery(text, article, plain, stems, (), None, None, passage)
    syntax = _field_case(text)
    try:
        parsed = index.parse_query(syntax, ARTICLE_FIELDS)
        return ParsedQuery(
            text, parsed, plain, stems, phrases, None, _negated(index, text), _passage_query(chunk_index, syntax)
        )
    except ValueError as exc:
        notice = f"the query's syntax was not understood ({_short(exc)}); searched for its words instead"
    plain_text = " ".join(w.lower() for w in _WORD.findall(text))
    if not plain_text:
        return ParsedQuery(text, None, plain, stems, (), notice)
    article = index.parse_query(plain_text, ARTICLE_FIELDS)
    passage = chunk_index.parse_query(plain_text, PASSAGE_FIELDS)
    return ParsedQuery(text, article, plain, stems, (), notice, None, passage)


def _passage_query(chunk_index: tantivy.Index, syntax: str) -> tantivy.Query | None:
    """The query over chunk text: field prefixes the chunk index lacks (title:, outlet:) are dropped."""
    words = _OUTLET_CLAUSE.sub(" ", _FIELD.sub(" ", syntax)).strip()
    if not words:
        return None
    query, _ = chunk_index.parse_query_lenient(words, PASSAGE_FIELDS)
    return query


def _negated(index: tantivy.Index, text: str) -> tantivy.Query | None:
    """The -word and -"phrase" parts as one query (None when there are none)."""
    parts = [m.group(1) for m in _NEGATED.finditer(text) if not m.group(1).lower().startswith("outlet:")]
    if not parts:
        return None
    try:
        return index.parse_query(" OR ".join(_field_case(p) for p in parts), ARTICLE_FIELDS)
    except ValueError:
        return None


def _plain_words(text: str) -> str:
    without = _OUTLET_CLAUSE.sub(" ", _NEGATED.sub(" ", text))
    without = _OPERATORS.sub(" ", _FIELD.sub(" ", without))
    return " ".join(_WORD.findall(without))


def _field_case(text: str) -> str:
    """Field names in lower case (Title: works), outlet values lower-cased like the index."""
    text = _FIELD.sub(lambda m: m.group(1).lower() + ":", text)
    return _OUTLET_CLAUSE.sub(lambda m: m.group(0).lower(), text)


def _short(exc: Exception) -> str:
    message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return message[:80]
