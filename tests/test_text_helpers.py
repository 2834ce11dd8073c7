"""core.text helpers: word tokens, the prompt text, display truncation, offline subword tokens
(named test_text_helpers.py: tests/metrics/test_text.py holds the text metrics)."""

from __future__ import annotations

import numpy as np

from core.text import (
    DISPLAY_LIMIT,
    ngrams,
    prompt_text,
    subword_ids,
    subword_lengths,
    subword_tokenizer,
    truncate_for_display,
    word_tokens,
)


def test_word_tokens():
    assert word_tokens("Hello, World! It's 42.") == ["hello", ",", "world", "!", "it", "'", "s",
                                                     "42", "."]
    assert word_tokens("") == [] and word_tokens(None) == []
    assert word_tokens("Café déjà-vu") == ["café", "déjà", "-", "vu"]


def test_prompt_text():
    assert prompt_text("Translate.", "Bonjour") == "Translate.\n\nBonjour"
    assert prompt_text("Translate.", "") == "Translate."
    assert prompt_text("Translate.", "  \n") == "Translate."
    assert prompt_text("Translate.", None) == "Translate."
    assert prompt_text("", "only input") == "only input"
    assert prompt_text(None, None) == ""


def test_truncate_for_display():
    assert truncate_for_display("short") == "short"
    assert truncate_for_display(None) == ""
    exact = "x" * DISPLAY_LIMIT
    assert truncate_for_display(exact) == exact
    long_text = "y" * 300_000
    shown = truncate_for_display(long_text)
    assert shown.startswith("y" * DISPLAY_LIMIT)
    assert shown.endswith("[298,000 more characters]")
    assert len(shown) < DISPLAY_LIMIT + 40
    assert len(long_text) == 300_000  # the value itself is untouched
    assert truncate_for_display("abcdef", limit=3) == "abc … [3 more characters]"


def test_ngrams():
    assert list(ngrams(["a", "b", "c", "d"], 2)) == [("a", "b"), ("b", "c"), ("c", "d")]
    assert list(ngrams(["a", "b"], 3)) == []


def test_subword_tokenizer_is_offline_wordpiece():
    tok = subword_tokenizer()
    assert subword_tokenizer() is tok  # cached
    ids = subword_ids(["Hello world", ""])
    assert ids[1] == []
    assert tok.decode(ids[0]) == "hello world"
    assert 101 not in ids[0] and 102 not in ids[0]  # no [CLS] / [SEP]


def test_subword_lengths_do_not_depend_on_batching():
    texts = [f"sentence number {i} " * (i % 5 + 1) for i in range(11)] + [None]
    lengths = subword_lengths(texts)
    assert lengths.dtype == np.int64 and lengths.shape == (12,)
    assert lengths[-1] == 0
    assert [len(i) for i in subword_ids(texts, batch=2)] == lengths.tolist()
    long_len = subword_lengths(["word " * 2000])[0]
    assert long_len == 2000  # no truncation at the model's 256/512 tokens
