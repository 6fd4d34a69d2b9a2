#!/usr/bin/python3
"""Writes the NumPy-made fixtures of package actfile's tests (run from this folder):

    /usr/bin/python3 mkfixtures.py

The values follow formulas the Go tests recompute: N = 7 samples, label i % 3,
layer_1[i, j] = (5i + j)/4 − 3 (exact in float32), layer_2[i, j] = (i + 1)/(j + 3) (float64).
"""
import numpy as np

N = 7
i = np.arange(N)
labels = i % 3
l1 = ((5 * i[:, None] + np.arange(5)[None, :]) / 4.0 - 3).astype(np.float32)
l2 = (i[:, None] + 1) / (np.arange(3)[None, :] + 3.0)  # float64
split = np.array(["train" if k < 4 else "test" for k in range(N)])
names = np.array(["zero", "one", "two"])

# float32 and float64 layers, int64 labels, uncompressed.
np.savez("numpy-savez.npz", labels=labels.astype(np.int64), layer_1=l1, layer_2=l2)
# The same compressed, with int32 labels, class names and a split.
np.savez_compressed("numpy-savez-compressed.npz", labels=labels.astype(np.int32), layer_1=l1, layer_2=l2,
                    class_names=names, split=split)
# Layouts: a Fortran-ordered layer, a big-endian layer and big-endian int16 labels, pre-activations,
# a feature map (N, 2, 2, 2) in Fortran order, a bool split (True = test).
fmap = np.arange(N * 8, dtype=np.float32).reshape(N, 2, 2, 2) / 8.0
np.savez("numpy-layouts.npz", labels=labels.astype(">i2"), layer_1=np.asfortranarray(l1),
         preact_1=np.asfortranarray(l1 - 1), layer_2=l2.astype(">f8"), layer_3=np.asfortranarray(fmap),
         split=(i >= 4))
# Malformed for the reader.
np.savez("bad-object.npz", labels=labels, layer_1=l1, class_names=np.array(["zero", "one", "two"], dtype=object))
np.savez("bad-complex.npz", labels=labels, layer_1=l1.astype(np.complex64))
np.savez("bad-int-layer.npz", labels=labels, layer_1=(l1 * 4).astype(np.int64))
np.savez("bad-float-labels.npz", labels=labels.astype(np.float64), layer_1=l1)
nan = l2.copy()
nan[5, 1] = np.nan
np.savez("bad-nan.npz", labels=labels, layer_1=l1, layer_2=nan)
inf = l1.copy()
inf[2, 4] = np.inf
np.savez("bad-inf.npz", labels=labels, layer_1=inf)
np.savez("bad-positional.npz", labels, l1)
np.save("bad-single.npy", l1)
