"""Tests for the English-to-French number translator."""

from __future__ import annotations

import math

import pytest
import torch
from num2words import num2words

import tinyformer
from tinyformer.translation import (
    BOS,
    EOS,
    PAD,
    UNK,
    Translator,
    TranslatorConfig,
    Vocabulary,
    build_model,
    detokenize_french,
    encode_pairs,
    number_pairs,
    split_numbers,
    tokenize_english,
    tokenize_french,
)

# Small enough to train in a few seconds on two CPU cores: numbers 0 to 99,
# a quarter of them held out.
SMALL = TranslatorConfig(
    max_number=99,
    held_out_fraction=0.25,
    seed=0,
    d_model=32,
    num_heads=2,
    d_ff=64,
    num_encoder_layers=1,
    num_decoder_layers=1,
    dropout=0.0,
    steps=300,
    batch_size=32,
    learning_rate=5e-3,
    warmup_steps=30,
    eval_every=100,
)


@pytest.fixture(scope="module")
def untrained_full_range() -> Translator:
    """An untrained translator for 0 to 999 whose vocabularies hold every word."""
    config = TranslatorConfig(d_model=16, num_heads=2, d_ff=16)
    pairs = number_pairs(range(config.max_number + 1))
    source = Vocabulary.build(tokenize_english(p.english) for p in pairs)
    target = Vocabulary.build(tokenize_french(p.french) for p in pairs)
    return Translator(build_model(config, source, target), source, target, config)


@pytest.fixture(scope="module")
def trained() -> tuple[Translator, tinyformer.translation.TrainingHistory]:
    torch.set_num_threads(1)
    return Translator.train(SMALL, device="cpu")


def test_num2words_examples():
    # The pairs this module learns from, as num2words 0.5.14 writes them.
    assert num2words(71, lang="fr") == "soixante et onze"
    assert num2words(97, lang="fr") == "quatre-vingt-dix-sept"
    assert num2words(321, lang="en") == "three hundred and twenty-one"
    assert num2words(321, lang="fr") == "trois cent vingt et un"


def test_tokenize_english_hyphens():
    assert tokenize_english("Seventy-One") == ["seventy", "one"]
    assert tokenize_english("three hundred and twenty one") == [
        "three",
        "hundred",
        "and",
        "twenty",
        "one",
    ]


def test_tokenize_french_roundtrip():
    for n in (0, 21, 71, 80, 97, 180, 200, 321, 999):
        french = num2words(n, lang="fr")
        tokens = tokenize_french(french)
        assert detokenize_french(tokens) == french
    assert tokenize_french("quatre-vingt-dix") == [
        "quatre",
        "-",
        "vingt",
        "-",
        "dix",
    ]


def test_split_disjoint_and_complete():
    train, held_out = split_numbers(999, 0.1, seed=3)
    assert not set(train) & set(held_out)
    assert sorted(train + held_out) == list(range(1000))
    assert 90 <= len(held_out) <= 100


def test_split_held_out_words_seen():
    train, held_out = split_numbers(99, 0.25, seed=0)
    train_words = set()
    for pair in number_pairs(train):
        train_words |= set(tokenize_english(pair.english))
        train_words |= set(tokenize_french(pair.french))
    for pair in number_pairs(held_out):
        assert set(tokenize_english(pair.english)) <= train_words, pair
        assert set(tokenize_french(pair.french)) <= train_words, pair


def test_split_fixed_by_seed():
    assert split_numbers(999, 0.1, seed=3) == split_numbers(999, 0.1, seed=3)
    assert split_numbers(999, 0.1, seed=3) != split_numbers(999, 0.1, seed=4)


@pytest.mark.parametrize("fraction", [0.0, 1.0, -0.1])
def test_split_rejects_fraction(fraction):
    with pytest.raises(ValueError, match="held_out_fraction"):
        split_numbers(99, fraction)


def test_vocabulary_special_ids():
    vocab = Vocabulary(["vingt", "un"])
    assert vocab.tokens[:4] == [PAD, BOS, EOS, UNK]
    assert vocab.ids[PAD] == 0
    assert vocab.ids[BOS] == 1
    assert vocab.ids[EOS] == 2
    assert vocab.encode(["un", "cent"], strict=False) == [5, vocab.ids[UNK]]


def test_vocabulary_strict_names_tokens():
    vocab = Vocabulary(["vingt", "un"])
    with pytest.raises(ValueError, match=r"\['cent', 'mille'\]"):
        vocab.encode(["un", "cent", "mille", "cent"])


def test_vocabulary_decode_stops_at_eos():
    vocab = Vocabulary(["vingt", "un"])
    ids = vocab.encode([BOS, "vingt", "un", EOS, "un", PAD])
    assert vocab.decode(ids) == ["vingt", "un"]


def test_batch_shift_and_padding():
    pairs = number_pairs([7, 71])
    source = Vocabulary.build(tokenize_english(p.english) for p in pairs)
    target = Vocabulary.build(tokenize_french(p.french) for p in pairs)
    batch = encode_pairs(pairs, source, target)
    # "seven" is one token, "seventy-one" two; "sept" one, "soixante et onze" three.
    assert batch.src.shape == (2, 2)
    assert batch.tgt_in.shape == (2, 4)
    assert batch.src[0].tolist() == [source.ids["seven"], 0]
    assert batch.tgt_in[0].tolist() == [1, target.ids["sept"], 0, 0]
    assert batch.tgt_out[0].tolist() == [target.ids["sept"], 2, 0, 0]
    onze = target.encode(["soixante", "et", "onze"])
    assert batch.tgt_in[1].tolist() == [1, *onze]
    assert batch.tgt_out[1].tolist() == [*onze, 2]
    # The decoder input is the output shifted right by one position, except
    # where the output has <eos> and the input already has padding.
    real = batch.tgt_in[:, 1:] != 0
    assert torch.equal(batch.tgt_in[:, 1:][real], batch.tgt_out[:, :-1][real])
    assert (batch.tgt_out[0] != 0).sum() == 2


def test_training_beats_chance(trained):
    translator, history = trained
    # Chance for one French token is 1 / vocabulary size; an untrained model's
    # cross-entropy starts near ln(vocabulary size).
    vocab_size = len(translator.target_vocab)
    assert history.loss[0] > 0.8 * math.log(vocab_size)
    assert history.loss[-1] < 0.5 * math.log(vocab_size)
    assert history.token_accuracy[-1] > 10 / vocab_size
    # Exact match by chance is about (1 / vocab_size) ** 3 for a three-token
    # output; a model that learnt something gets many held-out numbers right.
    _, held_out = translator.data()
    assert translator.evaluate(held_out) >= 0.3


def test_training_never_sees_held_out(trained):
    translator, _ = trained
    train, held_out = translator.data()
    assert {p.number for p in train}.isdisjoint(p.number for p in held_out)
    assert 15 <= len(held_out) <= 25


def test_unknown_words_raise(trained):
    translator, _ = trained
    with pytest.raises(ValueError, match="'attention', 'is', 'all', 'you', 'need'"):
        translator("attention is all you need")


def test_unknown_word_message_keeps_known(trained):
    translator, _ = trained
    with pytest.raises(ValueError) as error:
        translator("seventy thousand")
    assert "'thousand'" in str(error.value)
    assert "'seventy'" not in str(error.value)


@pytest.mark.parametrize(
    "english", ["three hundred twenty-one", "and", "twelve hundred", "one and one"]
)
def test_strict_rejects_non_numbers(untrained_full_range, english):
    with pytest.raises(ValueError) as error:
        untrained_full_range(english)
    message = str(error.value)
    assert repr(english) in message
    assert "0 to 999" in message
    assert "strict=False" in message


def test_strict_suggests_missing_and(untrained_full_range):
    with pytest.raises(ValueError, match="'three hundred and twenty-one'"):
        untrained_full_range("three hundred twenty-one")


def test_strict_example_for_other_forms(untrained_full_range):
    with pytest.raises(ValueError, match="for example 'three hundred and twenty-one'"):
        untrained_full_range("twelve hundred")


def test_strict_accepts_every_number(untrained_full_range):
    # Case, commas and hyphens versus spaces are removed by the tokenizer.
    sentences = [num2words(n, lang="en") for n in range(1000)]
    sentences += ["Three Hundred And Twenty-One", "seventy one"]
    src = untrained_full_range.encode_source(sentences)
    assert src.shape[0] == len(sentences)


def test_strict_in_batches_and_cross_attention(untrained_full_range):
    with pytest.raises(ValueError, match="'one one'"):
        untrained_full_range.translate(["seventy-one", "one one"])
    with pytest.raises(ValueError, match="'one one'"):
        untrained_full_range.cross_attention("one one")


def test_non_strict_returns_raw_output(untrained_full_range):
    french = untrained_full_range("three hundred twenty-one", strict=False)
    assert isinstance(french, str)
    assert untrained_full_range.translate(["and"], strict=False)[0] == (
        untrained_full_range("and", strict=False)
    )
    _, output, _ = untrained_full_range.cross_attention("and", strict=False)
    assert output[-1] == EOS


def test_non_strict_keeps_unknown_word_error(untrained_full_range):
    with pytest.raises(ValueError, match="'zillion'"):
        untrained_full_range("one zillion", strict=False)


def test_unknown_words_win_over_form(trained):
    translator, _ = trained
    # "hundred" is outside the 0-99 vocabulary, so the unknown-word error
    # names it even though the phrase is also not a number form.
    with pytest.raises(
        ValueError, match=r"\['hundred'\] not in the English vocabulary"
    ):
        translator("twelve hundred")


@pytest.mark.parametrize("value", [71, None, b"seventy-one", ["seventy-one"]])
def test_call_rejects_non_string(untrained_full_range, value):
    with pytest.raises(TypeError) as error:
        untrained_full_range(value)
    message = str(error.value)
    assert type(value).__name__ in message
    assert "as a string" in message


def test_translate_rejects_non_string_items(untrained_full_range):
    with pytest.raises(TypeError, match="got int 71"):
        untrained_full_range.translate(["seventy-one", 71])


def test_translate_rejects_none(untrained_full_range):
    with pytest.raises(TypeError, match="got NoneType"):
        untrained_full_range.translate(None)


def test_held_out_numbers_pass_strict(trained):
    translator, _ = trained
    _, held_out = translator.data()
    outputs = translator.translate([p.english for p in held_out])
    assert len(outputs) == len(held_out)
    assert all(isinstance(o, str) and o for o in outputs)


def test_empty_sentence_raises(trained):
    translator, _ = trained
    with pytest.raises(ValueError, match="no words"):
        translator("  ")


def test_checkpoint_reload_identical(trained, tmp_path):
    translator, _ = trained
    translator.save(tmp_path / "ckpt")
    reloaded = tinyformer.translator(tmp_path / "ckpt")
    sentences = [p.english for p in number_pairs(range(100))]
    assert reloaded.translate(sentences) == translator.translate(sentences)
    assert reloaded.translate(sentences, beam_size=3) == translator.translate(
        sentences, beam_size=3
    )
    assert reloaded.config == translator.config
    assert reloaded.source_vocab.tokens == translator.source_vocab.tokens


def test_load_missing_checkpoint(tmp_path):
    with pytest.raises(FileNotFoundError, match="config.json"):
        Translator.load(tmp_path / "nothing")


def test_load_rejects_other_checkpoint(tmp_path):
    model = tinyformer.Transformer(
        tinyformer.TransformerConfig(
            src_vocab_size=5, tgt_vocab_size=5, d_model=8, num_heads=2, d_ff=8
        )
    )
    tinyformer.save_model(model, tmp_path)
    with pytest.raises(ValueError, match="not a number-translator"):
        Translator.load(tmp_path)


def test_cross_attention_shapes(trained):
    translator, _ = trained
    source, output, weights = translator.cross_attention("ninety-seven")
    assert source == ["ninety", "seven"]
    assert output[-1] == EOS
    assert len(weights) == SMALL.num_decoder_layers
    assert weights[0].shape == (SMALL.num_heads, len(output), len(source))
    assert torch.allclose(weights[0].sum(-1), torch.ones(SMALL.num_heads, len(output)))


def test_config_rejects_unknown_key():
    with pytest.raises(ValueError, match="unknown TranslatorConfig keys"):
        TranslatorConfig.from_dict({"d_model": 32, "width": 3})


def test_cli_missing_checkpoint(tmp_path, capsys):
    from tinyformer.cli import main

    status = main(["translate", "seventy-one", "--checkpoint", str(tmp_path / "none")])
    assert status == 2
    error = capsys.readouterr().err
    assert "no translator checkpoint" in error
    assert "python -m tinyformer translate --train" in error


def test_cli_translates_with_checkpoint(trained, tmp_path, capsys):
    from tinyformer.cli import main

    translator, _ = trained
    translator.save(tmp_path / "ckpt")
    status = main(
        ["translate", "ninety-seven", "twelve", "--checkpoint", str(tmp_path / "ckpt")]
    )
    assert status == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines == [translator("ninety-seven"), translator("twelve")]


def test_cli_unknown_word_error(trained, tmp_path, capsys):
    from tinyformer.cli import main

    translator, _ = trained
    translator.save(tmp_path / "ckpt")
    status = main(["translate", "one zillion", "--checkpoint", str(tmp_path / "ckpt")])
    assert status == 2
    assert "'zillion'" in capsys.readouterr().err


@pytest.mark.parametrize("device", ["banana", "cuda:banana"])
def test_cli_invalid_device(trained, tmp_path, capsys, device):
    from tinyformer.cli import main

    translator, _ = trained
    translator.save(tmp_path / "ckpt")
    args = ["translate", "seventy", "--device", device]
    status = main([*args, "--checkpoint", str(tmp_path / "ckpt")])
    assert status == 2
    error = capsys.readouterr().err
    assert repr(device) in error
    assert "'cpu'" in error
    assert "'auto'" in error


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has CUDA")
def test_cli_cuda_unavailable(trained, tmp_path, capsys):
    from tinyformer.cli import main

    translator, _ = trained
    translator.save(tmp_path / "ckpt")
    args = ["translate", "seventy", "--device", "cuda"]
    status = main([*args, "--checkpoint", str(tmp_path / "ckpt")])
    assert status == 2
    error = capsys.readouterr().err
    assert "'cuda'" in error
    assert "'cpu' or 'auto'" in error


def test_cli_device_reaches_model(trained, tmp_path, capsys, monkeypatch):
    from tinyformer.cli import main

    translator, _ = trained
    translator.save(tmp_path / "ckpt")
    loaded = []
    real_load = Translator.load.__func__

    def recording_load(cls, directory, device=None):
        result = real_load(cls, directory, device=device)
        loaded.append(result)
        return result

    monkeypatch.setattr(Translator, "load", classmethod(recording_load))
    args = ["translate", "seventy", "--device", "cpu"]
    status = main([*args, "--checkpoint", str(tmp_path / "ckpt")])
    assert status == 0
    assert capsys.readouterr().out.strip() == translator("seventy")
    assert len(loaded) == 1
    assert loaded[0].device == torch.device("cpu")


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_cli_translates_on_cuda(trained, tmp_path, capsys, monkeypatch):
    from tinyformer.cli import main

    translator, _ = trained
    translator.save(tmp_path / "ckpt")
    devices = []
    real_call = Translator.__call__

    def recording_call(self, english, beam_size=1, *, strict=True):
        devices.append(self.device.type)
        return real_call(self, english, beam_size, strict=strict)

    monkeypatch.setattr(Translator, "__call__", recording_call)
    args = ["translate", "ninety-seven", "--device", "cuda"]
    status = main([*args, "--checkpoint", str(tmp_path / "ckpt")])
    assert status == 0
    assert devices == ["cuda"]
    assert capsys.readouterr().out.strip()


def test_cli_rejects_non_number_form(trained, tmp_path, capsys):
    from tinyformer.cli import main

    translator, _ = trained
    translator.save(tmp_path / "ckpt")
    checkpoint = ["--checkpoint", str(tmp_path / "ckpt")]
    status = main(["translate", "one one", *checkpoint])
    assert status == 2
    assert "'one one'" in capsys.readouterr().err
    status = main(["translate", "one one", "--no-strict", *checkpoint])
    assert status == 0
    assert capsys.readouterr().out.strip() == translator("one one", strict=False)


def _normalised_log_prob(translator: Translator, english: str, french: str) -> float:
    """Return log p(french | english) divided by the GNMT length penalty."""
    src = translator.encode_source([english])
    ids = [*translator.target_vocab.encode(tokenize_french(french)), 2]
    tgt_in = torch.tensor([[1, *ids[:-1]]])
    with torch.no_grad():
        logits = translator.model(src, tgt_in).logits.float()
    log_probs = torch.log_softmax(logits, dim=-1)[0]
    total = sum(log_probs[i, token].item() for i, token in enumerate(ids))
    return total / ((5.0 + len(ids)) / 6.0) ** 0.6


def test_beam_scores_at_least_greedy(trained):
    translator, _ = trained
    _, held_out = translator.data()
    for pair in held_out:
        greedy = translator(pair.english)
        beam = translator(pair.english, beam_size=4)
        greedy_score = _normalised_log_prob(translator, pair.english, greedy)
        beam_score = _normalised_log_prob(translator, pair.english, beam)
        assert beam_score >= greedy_score - 1e-4, (pair, greedy, beam)
