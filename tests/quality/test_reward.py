"""reward:MODEL on a tiny BERT reward model built and saved locally at test time: the pair
and chat-template formats, chunked resumable scoring after a kill, the cache, the spec."""

from __future__ import annotations

import json

import numpy as np
import pytest

from core.errors import InputError


def _tokenizer(texts: list[str], chat_template: str | None = None):
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, processors
    from transformers import PreTrainedTokenizerFast

    words = sorted({w for t in texts for w in t.lower().replace(".", " . ").split()})
    vocab = {w: i for i, w in enumerate(["[PAD]", "[UNK]", "[CLS]", "[SEP]", *words])}
    tok = Tokenizer(models.WordLevel(vocab, unk_token="[UNK]"))
    tok.normalizer = normalizers.Lowercase()
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    tok.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", pair="[CLS] $A [SEP] $B:1 [SEP]:1",
        special_tokens=[("[CLS]", 2), ("[SEP]", 3)])
    fast = PreTrainedTokenizerFast(tokenizer_object=tok, pad_token="[PAD]", unk_token="[UNK]",
                                   cls_token="[CLS]", sep_token="[SEP]")
    if chat_template:
        fast.chat_template = chat_template
    return fast


def build_tiny_reward_model(path, texts: list[str], chat_template: str | None = None):
    """A 2-layer BERT with one output label, random but seeded weights."""
    import torch
    from transformers import BertConfig, BertForSequenceClassification

    tokenizer = _tokenizer(texts, chat_template)
    torch.manual_seed(0)
    config = BertConfig(vocab_size=len(tokenizer), hidden_size=32, num_hidden_layers=2,
                        num_attention_heads=2, intermediate_size=48, num_labels=1,
                        max_position_embeddings=128)
    BertForSequenceClassification(config).save_pretrained(path)
    tokenizer.save_pretrained(path)
    return path


@pytest.fixture
def tiny_model(tiny_workspace, tmp_path):
    texts = tiny_workspace.texts("both")
    return str(build_tiny_reward_model(tmp_path / "rm", texts))


class CountingModel:
    """A RewardModel that records how many pairs it scored."""

    def __init__(self, name):
        from core.quality.reward import RewardModel

        self.inner = RewardModel(name, max_length=64, batch_size=4)
        self.format = self.inner.format
        self.scored = 0

    def score(self, prompts, responses, progress=None):
        self.scored += len(prompts)
        return self.inner.score(prompts, responses, progress)


def test_pair_format_and_scores_match_the_model_directly(tiny_workspace, tiny_model):
    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    from core.quality.reward import RewardModel

    model = RewardModel(tiny_model, max_length=64, batch_size=3)
    assert model.format == "pair"
    prompts, responses = tiny_workspace.texts("instruction")[:5], \
        tiny_workspace.texts("response")[:5]
    got = model.score(prompts, responses)
    tok = AutoTokenizer.from_pretrained(tiny_model)
    ref = AutoModelForSequenceClassification.from_pretrained(tiny_model).eval()
    with torch.no_grad():
        for p, r, value in zip(prompts, responses, got, strict=True):
            enc = tok(p, r, return_tensors="pt", truncation=True, max_length=64)
            assert enc["input_ids"][0].tolist().count(3) == 2  # [SEP] after each side
            assert value == pytest.approx(float(ref(**enc).logits[0, 0]), abs=1e-5)


def test_chat_template_is_used_when_the_tokenizer_has_one(tiny_workspace, tmp_path):
    from core.quality.reward import RewardModel

    template = ("{% for m in messages %}{{ m['role'] }} says {{ m['content'] }} "
                "{% endfor %}")
    path = build_tiny_reward_model(tmp_path / "chat", tiny_workspace.texts("both") +
                                   ["user says assistant name a colour red"],
                                   chat_template=template)
    model = RewardModel(str(path), max_length=64)
    assert model.format == "chat_template"
    enc = model.encode(["Name a colour."], ["Red."])
    decoded = model.tokenizer.decode(enc["input_ids"][0])
    assert decoded.startswith("user says name a colour . assistant says red .")


def test_kill_and_resume_computes_only_the_remaining_chunks(tiny_workspace, tiny_model):
    from core.quality.reward_job import cached_reward, compute_reward

    ws = tiny_workspace  # 48 rows -> chunks of 10: 5 chunks
    calls = []

    def killer(done, total):
        calls.append(done)
        if done > 20:  # killed in the middle of the third chunk
            raise KeyboardInterrupt("killed")

    first = CountingModel(tiny_model)
    with pytest.raises(KeyboardInterrupt):
        compute_reward(ws, tiny_model, model=first, chunk_rows=10, progress=killer)
    assert first.scored == 30 and cached_reward(ws, tiny_model) is None
    parts = list(ws.cache_dir.glob("reward-*.parts-10/*.npy"))
    assert len(parts) == 2
    resumed = CountingModel(tiny_model)
    values, meta = compute_reward(ws, tiny_model, model=resumed, chunk_rows=10)
    assert resumed.scored == 28 and meta["computed_chunks"] == 3
    assert not list(ws.cache_dir.glob("reward-*.parts-10"))
    # equals an uninterrupted run in a fresh workspace cache
    for path in ws.cache_dir.glob("reward-*"):
        path.unlink()
    whole = CountingModel(tiny_model)
    again, _ = compute_reward(ws, tiny_model, model=whole, chunk_rows=10)
    assert whole.scored == 48
    np.testing.assert_allclose(values, again, atol=1e-6)
    cached = CountingModel(tiny_model)
    np.testing.assert_array_equal(compute_reward(ws, tiny_model, model=cached)[0], again)
    assert cached.scored == 0  # served from the cache


def test_reward_spec_selects_and_reports(tiny_workspace, tiny_model, run_cli):
    from core.quality import canonical_spec, workspace_quality
    from core.quality.reward_job import cached_reward

    ws = tiny_workspace
    spec = f"reward:{tiny_model}"
    assert canonical_spec(spec) == spec
    code, out, err = run_cli("quality", "--workspace", ws.root, "--compute", spec, "--json")
    assert code == 0, err
    computed = json.loads(out)["computed"]
    assert computed["inputs"][spec]["kind"] == "reward"
    raw = cached_reward(ws, tiny_model)
    assert raw is not None and raw.shape == (48,)
    q = workspace_quality(ws, spec)
    assert np.argmax(q) == np.argmax(raw)
    code, out, err = run_cli("select", "--workspace", ws.root, "--strategy", "quality", "--k",
                             "5", "--quality", spec, "--json")
    assert code == 0, err
    assert json.loads(out)["indices"] == np.argsort(-raw, kind="stable")[:5].tolist()
    ws.set_columns({"judge": (np.arange(48) % 2).astype(float)})
    code, out, err = run_cli("quality", "--workspace", ws.root, "--against", "judge", "--json")
    assert code == 0, err
    report = json.loads(out)
    assert report["scores"][spec]["n"] == 48 and "learned:judge" not in report["scores"]
    assert "needs at least 50" in report["learned"]["refused"]


def test_an_unloadable_model_is_one_line(tiny_workspace, tmp_path, run_cli):
    (tmp_path / "empty").mkdir()
    code, _, err = run_cli("quality", "--workspace", tiny_workspace.root, "--compute",
                           f"reward:{tmp_path / 'empty'}")
    assert code == 2 and err.startswith("error: field 'quality': cannot load reward model")
    assert len(err.strip().splitlines()) == 1
    with pytest.raises(InputError, match="is computed on a workspace"):
        from core.quality import quality_scores

        quality_scores(tiny_workspace.pool_frame(), f"reward:{tmp_path}")


def test_ray_is_for_computing_a_reward_only(tiny_workspace, run_cli):
    code, _, err = run_cli("quality", "--workspace", tiny_workspace.root, "--against", "score",
                           "--executor", "ray")
    assert code == 2 and err.strip() == ("error: field 'executor': --executor ray runs "
                                         "--compute (reward scoring)")
    code, _, err = run_cli("quality", "--workspace", tiny_workspace.root, "--against", "score",
                           "--shards", "2")
    assert code == 2 and "--shards needs --executor ray" in err
