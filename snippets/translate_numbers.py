"""Train a small English-to-French number translator and try it on unseen numbers.

The run is shorter than the lesson's (200 steps of 64 numbers instead of 600
steps of 128), so it finishes in seconds on an idle CPU and may get a few
held-out numbers wrong. Training is seeded, but the printed accuracy can
still differ slightly between machines and PyTorch versions.

Run: python snippets/translate_numbers.py
"""

import torch

from tinyformer.translation import Translator, TranslatorConfig

torch.set_num_threads(1)  # small model: 2 threads gain ~10% idle, lose a lot when busy
config = TranslatorConfig(steps=200, batch_size=64, eval_every=200)
translator, history = Translator.train(config, device="cpu")
train, held_out = translator.data()
print(f"trained on {len(train)} numbers in {history.seconds:.1f} s")
print(f"held-out exact match: {history.held_out_accuracy[-1]:.2%}")

for pair in held_out[:: len(held_out) // 6]:
    french = translator(pair.english)
    mark = "ok" if french == pair.french else f"expected {pair.french}"
    print(f"{pair.number:4d}  {pair.english:32s} -> {french}  ({mark})")

try:
    translator("attention is all you need")
except ValueError as error:
    print(f"ValueError: {error}")
