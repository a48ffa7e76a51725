"""Check the translator's batches and cross-attention shapes on three numbers.

Builds the teacher-forcing batch for 7, 71 and 97, then runs an untrained
Transformer over it. The padding key of "seven" must get weight 0 in every
head, and every row of cross-attention weights must sum to 1.

Run: python snippets/cross_attention_check.py
"""

from tinyformer.translation import (
    TranslatorConfig,
    Vocabulary,
    build_model,
    encode_pairs,
    number_pairs,
    tokenize_english,
    tokenize_french,
)

pairs = number_pairs([7, 71, 97])
source = Vocabulary.build(tokenize_english(p.english) for p in pairs)
target = Vocabulary.build(tokenize_french(p.french) for p in pairs)
batch = encode_pairs(pairs, source, target)
for i, pair in enumerate(pairs):
    print(pair.number)
    print("  src    ", [source.tokens[t] for t in batch.src[i]])
    print("  tgt_in ", [target.tokens[t] for t in batch.tgt_in[i]])
    print("  tgt_out", [target.tokens[t] for t in batch.tgt_out[i]])

# An untrained model: only the shapes and the padding mask matter here.
model = build_model(TranslatorConfig(), source, target).eval()
output = model(batch.src, batch.tgt_in, need_weights=True)
cross = output.cross_weights[0]  # first decoder layer
print("logits", tuple(output.logits.shape))
print("cross-attention weights", tuple(cross.shape))
print("weight on the padding key of 'seven':", cross[0, :, :, 1].abs().max().item())
print("rows sum to 1:", bool(cross.sum(-1).sub(1).abs().max() < 1e-6))
