"""Compare sentences by the cosine similarity of their MiniLM embeddings.

tinyformer loads all-MiniLM-L6-v2 onto its own encoder layers. encode()
mean-pools the last layer over the real tokens and L2-normalises, so the dot
product of two embeddings is their cosine similarity.
"""

from tinyformer.pretrained import load_minilm

SENTENCES = [
    "A man is playing a guitar.",
    "Someone plays an instrument on stage.",
    "The stock market fell sharply on Monday.",
    "Share prices dropped at the start of the week.",
]

model = load_minilm()
embeddings = model.encode(SENTENCES)
print(f"embeddings: {tuple(embeddings.shape)}")

similarity = embeddings @ embeddings.T
for i, sentence in enumerate(SENTENCES):
    print(f"[{i}] {sentence}")
print("cosine similarity:")
print("      " + " ".join(f"{f'[{j}]':>6}" for j in range(len(SENTENCES))))
for i in range(len(SENTENCES)):
    row = " ".join(f"{similarity[i, j].item():6.2f}" for j in range(len(SENTENCES)))
    print(f"  [{i}] {row}")
