"""The example record every domain generator returns, and the few phrasing helpers they share."""

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from dataclasses import dataclass, field


@dataclass
class Example:
    """One Alpaca-shaped row before quality scores and defects are added."""

    instruction: str
    input: str
    output: str
    category: str
    planted: str = ""
    quality_score: float = 0.0
    original: Example | None = field(default=None, compare=False, repr=False)

    def as_record(self, original_line: int | None = None) -> dict[str, object]:
        """The JSON object; ``original_line`` is the 1-based line of the row this duplicates."""
        return {"instruction": self.instruction, "input": self.input, "output": self.output,
                "category": self.category, "quality_score": self.quality_score,
                "planted": self.planted, "duplicate_of_line": original_line}


def prompt_key(instruction: str, input_text: str) -> str:
    """Lower-case words of the prompt: two prompts with the same key would be near-copies."""
    return " ".join(re.findall(r"[a-z0-9]+", f"{instruction} {input_text}".lower()))


def content_key(instruction: str, input_text: str, output: str) -> tuple[str, str, str]:
    """Whitespace-folded fields, the form the pool loader hashes when it counts duplicates."""
    return (" ".join(instruction.split()), " ".join(input_text.split()),
            " ".join(output.split()))


def pick_some(rng: random.Random, items: Sequence[str], low: int, high: int) -> list[str]:
    """Between ``low`` and ``high`` distinct items, in random order."""
    return rng.sample(list(items), rng.randint(low, min(high, len(items))))


def numbered(items: Sequence[str]) -> str:
    return "\n".join(f"{i}. {item}" for i, item in enumerate(items, 1))


def bulleted(items: Sequence[str], mark: str = "-") -> str:
    return "\n".join(f"{mark} {item}" for item in items)


def as_list(rng: random.Random, items: Sequence[str]) -> str:
    """A numbered or bulleted list, chosen at random."""
    style = rng.random()
    if style < 0.5:
        return numbered(items)
    return bulleted(items, "-" if style < 0.8 else "*")


def join_words(words: Sequence[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    words = list(words)
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def money(amount: float) -> str:
    """Dollars with cents only when there are any: $12, $12.50, $1,250."""
    if abs(amount - round(amount)) < 1e-9:
        return f"${int(round(amount)):,}"
    return f"${amount:,.2f}"


def number(value: float, places: int = 2) -> str:
    """A rounded number without trailing zeros: 3, 2.5, 0.75."""
    text = f"{value:,.{places}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def sentence_case(text: str) -> str:
    return text[:1].upper() + text[1:]
