"""Which MiniLM heads link "it" to "animal", and do they resolve what "it" means?

In "... because it was too tired" the word "it" refers to the animal; in
"... because it was too wide" it refers to the street. The heads are found by
measuring on the first sentence, then read on both. Layers and heads count
from 0.
"""

from tinyformer.pretrained import load_minilm, score_heads, token_position

TIRED = "The animal didn't cross the street because it was too tired."
WIDE = "The animal didn't cross the street because it was too wide."

model = load_minilm()
scores = score_heads(model, [(TIRED, "it", "animal")])
print(f"mean over all 72 heads of it -> animal: {scores.mean_weight.mean():.2f}")
print("heads with the largest it -> animal weight, read on both sentences:")
print("  layer  head  sentence  animal  street")
for layer, head, _, _ in scores.ranked(3):
    for name, sentence in (("tired", TIRED), ("wide", WIDE)):
        tokens, weights = model.attention(sentence)
        row = weights[layer, head, token_position(tokens, "it")]
        animal = row[token_position(tokens, "animal")].item()
        street = row[token_position(tokens, "street")].item()
        print(f"  {layer:5d}  {head:4d}  {name:8s}  {animal:6.2f}  {street:6.2f}")
