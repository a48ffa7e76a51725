"""The sinusoidal encoding at pos + k is a fixed rotation of the one at pos.

Each (sin, cos) column pair of the table turns at its own frequency, so moving
k positions forward rotates every pair by an angle that depends only on k.
One matrix M_k therefore maps the encoding at any position to the one k
positions later (Vaswani et al. 2017, section 3.5).

Run: python snippets/sinusoidal_shift.py
"""

import numpy as np

from tinyformer.reference import sinusoidal_positional_encoding

d_model, seq_len, offset = 8, 50, 3
table = sinusoidal_positional_encoding(seq_len, d_model)

# Column pair i turns by the angle offset * frequency_i.
frequencies = 1.0 / np.power(10000.0, np.arange(0, d_model, 2) / d_model)
rotation = np.zeros((d_model, d_model))
for i, frequency in enumerate(frequencies):
    cos, sin = np.cos(offset * frequency), np.sin(offset * frequency)
    # [sin(a + b), cos(a + b)] = [[cos b, sin b], [-sin b, cos b]] [sin a, cos a]
    rotation[2 * i : 2 * i + 2, 2 * i : 2 * i + 2] = [[cos, sin], [-sin, cos]]

np.set_printoptions(precision=3, suppress=True)
print("rotation block for the fastest pair:", rotation[:2, :2], sep="\n")
for pos in (0, 10, 46):
    shifted = rotation @ table[pos]
    error = np.abs(shifted - table[pos + offset]).max()
    print(f"M_{offset} @ PE[{pos}] equals PE[{pos + offset}]: {error < 1e-12}")
