import numpy as np
import pandas as pd
import pytest

from core.errors import InputError
from core.search import nearest_rows, text_search


def test_text_search_substring_case_insensitive_across_fields():
    frame = pd.DataFrame({"instruction": ["Write Python code", "Translate", "x"],
                          "input": ["", "python is fun", ""], "response": ["", "", "PYTHONIC"]})
    assert text_search(frame, "python").tolist() == [0, 1, 2]
    assert text_search(frame, "python", fields=("instruction",)).tolist() == [0]
    assert text_search(frame, "^Trans", regex=True, case=True).tolist() == [1]
    assert text_search(frame, "").tolist() == []
    with pytest.raises(InputError, match="regular expression"):
        text_search(frame, "(", regex=True)


def test_nearest_rows_exact_and_excludes_self():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(500, 8)).astype(np.float32)
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    rows, sims = nearest_rows(x, 7, 10, block=64)
    brute = np.argsort(-(x @ x[7]))
    brute = brute[brute != 7][:10]
    assert rows.tolist() == brute.tolist()
    assert np.all(np.diff(sims) <= 1e-7)
    with pytest.raises(InputError):
        nearest_rows(x, 500)
