"""Self-attention without positions cannot tell "dog bites man" from "man bites dog".

Shuffling the input tokens of self-attention shuffles its output rows in the
same way and changes nothing else (permutation equivariance). Adding a
sinusoidal positional encoding breaks this symmetry.

Run: python snippets/attention_permutation.py
"""

import numpy as np

from tinyformer.reference import multi_head_attention, sinusoidal_positional_encoding

rng = np.random.default_rng(seed=0)
d_model, num_heads = 8, 2
words = {word: rng.standard_normal(d_model) for word in ("dog", "bites", "man")}
w_q, w_k, w_v, w_o = (rng.standard_normal((d_model, d_model)) for _ in range(4))


def self_attention(sentence: list[str], add_positions: bool) -> np.ndarray:
    """Return the self-attention output rows for a sentence of known words."""
    # (1, seq_len, d_model): a batch of one sentence
    x = np.stack([words[word] for word in sentence])[np.newaxis]
    if add_positions:
        x = x + sinusoidal_positional_encoding(len(sentence), d_model)
    output, _ = multi_head_attention(x, x, w_q, w_k, w_v, w_o, num_heads)
    return output[0]


for add_positions in (False, True):
    first = self_attention(["dog", "bites", "man"], add_positions)
    second = self_attention(["man", "bites", "dog"], add_positions)
    # "dog" is row 0 of the first sentence and row 2 of the second.
    same = np.allclose(first[0], second[2])
    print(f"positions added: {add_positions!s:5}  output for 'dog' unchanged: {same}")
