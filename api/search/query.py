"""The search box's language, parsed by our code: words, "phrases", a prefix while typing.

Nothing a user types reaches the engine as syntax: the query is split here into
words (the index's own analyzer folds case and accents) and quoted phrases, and
the engine gets query objects built from those. Operators (``AND``, ``NEAR``,
``*``, ``-``), SQL, unbalanced quotes and punctuation are just text: words
count, punctuation separates them. Input that holds no word at all (only
punctuation or emoji) is a valid query that matches nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from api.schemas.answers.discovery import MAX_QUERY_LENGTH

MAX_TERMS = 12  # words and phrases together; a query past this is cut, not refused
MAX_PHRASE_WORDS = 12
PREFIX_MIN_LENGTH = 3  # shorter last words match whole words only (a prefix of 1-2 letters
#                        would expand to a large part of the vocabulary)
TYPO_MIN_LENGTH = 5  # words this long tolerate one typo


@dataclass(frozen=True, slots=True)
class Word:
    """One word that must match: exactly, or as a prefix (the last word, while typing).

    ``text`` is folded as the index folds words; ``written`` is the word lower-cased with its
    accents, where that differs (a stemmer reads its language's letters: ``stemming.py``).
    Words are equal by what they match as written: ``written`` only feeds the stems, which
    are a value of their own (``QueryStems``).
    """

    text: str
    prefix: bool = False
    written: str = field(default="", compare=False)

    @property
    def original(self) -> str:
        """The word lower-cased, accents kept."""
        return self.written or self.text

    @property
    def typos(self) -> bool:
        """Whether one typo is tolerated (ranked below exact matches)."""
        return len(self.text) >= TYPO_MIN_LENGTH


@dataclass(frozen=True, slots=True)
class Phrase:
    """Words that must appear together, in this order."""

    words: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class QueryStems:
    """The stems of a query's words in one language (``stemming.query_stems``), in the order
    of ``ParsedQuery.words``; ``None`` where a word has none."""

    language: str
    stems: tuple[str | None, ...]


@dataclass(frozen=True, slots=True)
class ParsedQuery:
    words: tuple[Word, ...] = ()
    phrases: tuple[Phrase, ...] = ()

    @property
    def is_empty(self) -> bool:
        return not self.words and not self.phrases

    @property
    def tolerates_typos(self) -> bool:
        return any(word.typos for word in self.words)


def parse_query(
    text: str,
    analyze: Callable[[str], list[str]],
    lowercase: Callable[[str], list[str]] | None = None,
) -> ParsedQuery:
    """Split ``text`` into words and phrases; ``analyze`` turns text into index words, and
    ``lowercase`` into the same words lower-cased only (for ``Word.written``).

    Quotes pair up from the left; an unpaired quote is ignored. The last word is
    a prefix unless the query ends with a space or a closing quote (the user
    has finished typing it). Repeated words count once.
    """
    text = text[:MAX_QUERY_LENGTH].replace("\x00", " ")
    pieces = text.split('"')
    if len(pieces) % 2 == 0:  # an odd number of quotes: the last one pairs with nothing
        pieces[-2:] = [f"{pieces[-2]} {pieces[-1]}"]
    words: list[str] = []
    written: dict[str, str] = {}  # a folded word -> its first form as written, where it differs
    phrases: list[Phrase] = []
    last_is_word = False
    for index, piece in enumerate(pieces):
        tokens = analyze(piece)
        if index % 2 == 1 and len(tokens) > 1:  # inside quotes: a phrase
            phrase = Phrase(tuple(tokens[:MAX_PHRASE_WORDS]))
            if phrase not in phrases:
                phrases.append(phrase)
        elif tokens:
            words.extend(tokens)
            if lowercase is not None:
                _remember_written(tokens, lowercase(piece), written)
        last_is_word = index % 2 == 0 and bool(tokens)
    unique = list(dict.fromkeys(words))
    # Still typing the last word: the query ends in it, and it is not a repeat.
    typing = last_is_word and text[-1:].isalnum() and words.count(words[-1]) == 1
    phrases = phrases[:MAX_TERMS]
    parsed_words = tuple(
        Word(
            word,
            prefix=typing and position == len(unique) - 1 and len(word) >= PREFIX_MIN_LENGTH,
            written=written.get(word, ""),
        )
        for position, word in enumerate(unique[: MAX_TERMS - len(phrases)])
    )
    return ParsedQuery(parsed_words, tuple(phrases))


def _remember_written(folded: list[str], lowered: list[str], written: dict[str, str]) -> None:
    """Each folded word's first form as written, where folding changed it. Both analyzers cut
    text into the same tokens, so they pair up one for one."""
    if len(folded) != len(lowered):  # never expected; the folded words serve alone then
        return
    for word, form in zip(folded, lowered, strict=True):
        if form != word:
            written.setdefault(word, form)
