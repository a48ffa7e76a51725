"""Find the MiniLM heads that link determiners to nouns, and objects to verbs.

For each relation, every one of the 6 x 12 heads is scored on a few
hand-labelled sentences: the mean attention weight from the first word to the
second, and how often the second word gets the largest weight (the measure of
Clark et al. 2019, arXiv:1906.04341). Layers and heads count from 0.
"""

from tinyformer.pretrained import load_minilm, score_heads

# Determiner followed directly by its noun. "the#2" is the second "the".
NOUN_NEXT = [
    ("The cat chased a mouse under the table.", "the", "cat"),
    ("The cat chased a mouse under the table.", "a", "mouse"),
    ("The cat chased a mouse under the table.", "the#2", "table"),
    ("A child found the key near the door.", "a", "child"),
    ("A child found the key near the door.", "the", "key"),
    ("A child found the key near the door.", "the#2", "door"),
    ("The chef cooked a meal for the guests.", "the", "chef"),
    ("The chef cooked a meal for the guests.", "a", "meal"),
    ("The farmer sold the cow at the market.", "the#2", "cow"),
    ("The farmer sold the cow at the market.", "the#3", "market"),
]

# The same relation with adjectives between determiner and noun. A head that
# only looks at the next token fails here.
OLD_MAN = "The old man saw a big red ball in the small garden."
STUDENT = "A tired young student read the long book."
DOG = "The little brown dog ate the huge bone."
NOUN_LATER = [
    (OLD_MAN, "the", "man"),
    (OLD_MAN, "a", "ball"),
    (OLD_MAN, "the#2", "garden"),
    (STUDENT, "a", "student"),
    (STUDENT, "the", "book"),
    (DOG, "the", "dog"),
    (DOG, "the#2", "bone"),
]

# The same determiners, scored against the adjective right after them.
NEXT_TOKEN = [
    (OLD_MAN, "the", "old"),
    (OLD_MAN, "a", "big"),
    (OLD_MAN, "the#2", "small"),
    (STUDENT, "a", "tired"),
    (STUDENT, "the", "long"),
    (DOG, "the", "little"),
    (DOG, "the#2", "huge"),
]

# Direct object and its verb.
VERB_OBJECT = [
    ("The cat chased a mouse under the table.", "chased", "mouse"),
    ("A child found the key near the door.", "found", "key"),
    ("The chef cooked a meal for the guests.", "cooked", "meal"),
    ("My sister wrote a letter to the mayor.", "wrote", "letter"),
    ("The dog ate the bone in the garden.", "ate", "bone"),
    ("A student read the book on the train.", "read", "book"),
    ("The farmer sold the cow at the market.", "sold", "cow"),
    ("The animal didn't cross the street because it was too tired.", "cross", "street"),
]
OBJECT_VERB = [(sentence, obj, verb) for sentence, verb, obj in VERB_OBJECT]


def show(title, scores, count=3):
    print(f"{title} ({scores.num_examples} pairs)")
    print("  layer  head  mean weight  top")
    for layer, head, weight, top in scores.ranked(count):
        hits = round(top * scores.num_examples)
        print(f"  {layer:5d}  {head:4d}  {weight:11.2f}  {hits}/{scores.num_examples}")


def show_head(title, scores, layer, head):
    weight = scores.mean_weight[layer, head].item()
    hits = round(scores.top_fraction[layer, head].item() * scores.num_examples)
    print(
        f"  layer {layer} head {head}, {title}: {weight:.2f}, top {hits}/"
        f"{scores.num_examples}"
    )


model = load_minilm()
noun_next = score_heads(model, NOUN_NEXT)
noun_later = score_heads(model, NOUN_LATER)
next_token = score_heads(model, NEXT_TOKEN)
show("determiner -> noun right after it", noun_next)
show("determiner -> noun after adjectives", noun_later)

print("the best heads of the first table, on the adjective sentences:")
for layer, head, _, _ in noun_next.ranked(2):
    show_head("weight on the noun", noun_later, layer, head)
    show_head("weight on the next token", next_token, layer, head)

show("verb -> its object", score_heads(model, VERB_OBJECT))
show("object -> its verb", score_heads(model, OBJECT_VERB))
