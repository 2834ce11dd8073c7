"""Planted defects: broken responses (in place) and near/exact duplicate rows (added).

Every planted row carries its kind in ``planted`` so tests and demos can check that the quality
heuristics and the duplicate detection find them. Whitespace-only edits are not near-duplicates
here: the pool loader folds whitespace before hashing, so such a copy counts as an exact
duplicate. Each near-duplicate therefore changes at least one visible character.
"""

from __future__ import annotations

import random
import re

from .records import Example, content_key

REFUSALS = [
    "As an AI language model, I cannot {task}.",
    "As an AI language model, I cannot {task}. Please consult an appropriate source.",
    "I'm sorry, but I can't help with that request.",
    "I'm sorry, but as an AI I am unable to {task}.",
    "I apologize, but I cannot {task} as it may go against my guidelines.",
    "As an AI, I don't have personal experiences, so I can't {task}.",
    "Unfortunately, I am not able to {task}. Is there anything else I can help you with?",
]
TASK_WORDS = {
    "math": "do your homework for you", "code_python": "write code for you",
    "sql": "access your database", "translation": "provide translations",
    "summarization": "summarize copyrighted text", "classification": "make judgements about "
    "people's opinions", "creative_writing": "write creative content",
    "brainstorming": "give personal recommendations", "email": "send emails on your behalf",
    "rewrite": "edit personal messages", "open_qa": "browse the internet for this information",
    "unit_conversion": "guarantee the accuracy of conversions", "cooking": "provide recipes",
    "health_fitness": "give medical or fitness advice",
}
SWAPS = [("Write", "Compose"), ("Give me", "Provide"), ("What is", "What's"),
         ("Explain", "Describe"), ("List", "Name"), ("Can you", "Could you"), ("How do I",
         "How can I"), ("Summarize", "Sum up"), ("Translate", "Please translate"),
         ("Create", "Make"), ("Find", "Identify"), ("Suggest", "Recommend"),
         ("Who wrote", "Who is the author of"), ("Correct", "Fix")]
OPENERS = ["Sure! ", "Certainly. ", "Of course. ", "Great question! ", "Okay, "]


def truncate(rng: random.Random, text: str) -> str:
    """Cut 35-75% of the way in, mid-sentence: the result never ends on punctuation."""
    cut = rng.randint(int(len(text) * 0.35), int(len(text) * 0.75))
    head = text[:cut]
    if rng.random() < 0.7 and " " in head:
        head = head[:head.rfind(" ")]
    head = head.rstrip()
    while head and not head[-1].isalnum():
        head = head[:-1].rstrip()
    return head


def repeat_loop(rng: random.Random, text: str) -> str:
    """A sentence or short phrase repeated many times, as a degenerate generation looks."""
    sentences = [s for s in re.split(r"(?<=[.!?])\s+|\n+", text.strip()) if s.strip()]
    sentences = [s for s in sentences if len(s.split()) >= 3] or sentences
    mode = rng.random()
    if mode < 0.4 and sentences:
        return " ".join([sentences[0].strip()] * rng.randint(8, 20))
    words = text.split()
    if mode < 0.8 and len(words) >= 6:
        start = rng.randrange(0, len(words) - 4)
        phrase = " ".join(words[start:start + rng.randint(3, 5)])
        head = " ".join(words[:start])
        loop = " ".join([phrase] * rng.randint(10, 25))
        return f"{head} {loop}".strip()
    last = sentences[-1].strip() if sentences else text.strip()
    return text.rstrip() + " " + " ".join([last] * rng.randint(8, 15))


def refusal(rng: random.Random, category: str) -> str:
    return rng.choice(REFUSALS).format(task=TASK_WORDS.get(category, "help with that"))


def copy_instruction(rng: random.Random, ex: Example) -> str:
    if ex.input.strip() and rng.random() < 0.3:
        return f"{ex.instruction}\n\n{ex.input}"
    return ex.instruction


def empty_output(rng: random.Random) -> str:
    return rng.choice(["", "", "", "", " ", "\n"])


def _swap_words(rng: random.Random, text: str) -> str:
    hits = [(a, b) for a, b in SWAPS if a in text]
    if not hits:
        return "Please answer this: " + text[:1].lower() + text[1:]
    a, b = rng.choice(hits)
    return text.replace(a, b, 1)


def _punctuate(rng: random.Random, text: str) -> str:
    stripped = text.rstrip()
    if stripped.endswith(("?", ".", "!", ":")):
        return stripped[:-1]
    if "'" in text and rng.random() < 0.5:
        return text.replace("'", "")
    if ", " in text:
        return text.replace(", ", " ", 1)
    return stripped + rng.choice(["!", "?", "..."])


def _respace(text: str) -> str:
    return "  ".join(text.split(" ")) + " \n"


def near_variant(rng: random.Random, ex: Example) -> Example:
    """A copy with one or two small visible edits (paraphrase, punctuation, case, opener).

    Whitespace noise is only ever added on top of a visible edit (see the module docstring).
    """
    inst, out = ex.instruction, ex.output
    kind = rng.random()
    if kind < 0.3:
        inst = _swap_words(rng, inst)
    elif kind < 0.5:
        inst = _punctuate(rng, inst)
    elif kind < 0.65:
        inst = inst.lower() if inst != inst.lower() else inst.upper()
    elif kind < 0.8 and not out.lstrip().startswith(("`", "-", "*", "1.")):
        out = rng.choice(OPENERS) + out
    else:
        inst = _swap_words(rng, _punctuate(rng, inst))
    if rng.random() < 0.25:
        inst = _respace(inst)
    return Example(inst, ex.input, out, ex.category, "near_duplicate", original=ex)


def plant_response_defects(rng: random.Random, rows: list[Example],
                           counts: dict[str, int]) -> None:
    """Overwrite the output of ``counts[kind]`` distinct clean rows per kind, in place."""
    order = list(range(len(rows)))
    rng.shuffle(order)
    taken: set[int] = set()
    for kind, count in counts.items():
        picked = [i for i in order if i not in taken and _eligible(kind, rows[i])][:count]
        if len(picked) < count:
            raise ValueError(f"only {len(picked)} rows can take the {kind} defect, need {count}")
        for i in picked:
            taken.add(i)
            ex = rows[i]
            ex.output = {"truncated": lambda e: truncate(rng, e.output),
                         "repetitive": lambda e: repeat_loop(rng, e.output),
                         "refusal": lambda e: refusal(rng, e.category),
                         "copied_instruction": lambda e: copy_instruction(rng, e),
                         "empty": lambda e: empty_output(rng)}[kind](ex)
            ex.planted = kind


def _eligible(kind: str, ex: Example) -> bool:
    if kind == "truncated":
        return len(ex.output) >= 120
    if kind == "repetitive":
        return len(ex.output.split()) >= 6
    return True


def add_duplicates(rng: random.Random, rows: list[Example], n_near: int,
                   n_exact: int) -> list[Example]:
    """Rows plus ``n_near`` near-duplicates (anywhere) and ``n_exact`` exact copies (each after
    its original), all made from distinct clean rows."""
    clean = [i for i, ex in enumerate(rows) if not ex.planted]
    sources = rng.sample(clean, n_near + n_exact)
    seen = {content_key(ex.instruction, ex.input, ex.output) for ex in rows}
    out = list(rows)
    for i in sources[:n_near]:
        for _ in range(20):
            twin = near_variant(rng, rows[i])
            key = content_key(twin.instruction, twin.input, twin.output)
            if key not in seen:
                break
        else:
            raise ValueError(f"could not make a distinct near-duplicate of row {i}")
        seen.add(key)
        twin.quality_score = round(min(5.0, max(1.0, rows[i].quality_score
                                                + rng.gauss(0, 0.2))), 1)
        out.insert(rng.randrange(len(out) + 1), twin)
    for i in sources[n_near:]:
        src = rows[i]
        copy = Example(src.instruction, src.input, src.output, src.category, "exact_duplicate",
                       src.quality_score, original=src)
        at = next(j for j, ex in enumerate(out) if ex is src)
        out.insert(rng.randint(at + 1, len(out)), copy)
    return out
