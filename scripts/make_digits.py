"""One-off: write tutor/nn/datasets/digits.npz from the copy of the digits that scikit-learn ships.

The data are the test set of the UCI "Optical Recognition of Handwritten Digits" data set
(E. Alpaydin, C. Kaynak, 1998; https://doi.org/10.24432/C50P49), licensed CC BY 4.0: 1,797 images of
8×8 pixels, each pixel a count 0..16. scikit-learn distributes them as
sklearn/datasets/data/digits.csv.gz; we store them as uint8 in a compressed .npz (about 30 kB), so
the tutor needs neither scikit-learn nor a download at run time.

Run once, with scikit-learn installed (it is not a dependency of the tutor):
    python scripts/make_digits.py
"""

from pathlib import Path

import numpy as np
from sklearn.datasets import load_digits

OUT = Path(__file__).resolve().parent.parent / "tutor" / "nn" / "datasets" / "digits.npz"


def main() -> None:
    digits = load_digits()
    images = digits.images.astype(np.uint8)
    labels = digits.target.astype(np.uint8)
    assert images.shape == (1797, 8, 8) and images.max() == 16 and (digits.images == images).all()
    np.savez_compressed(OUT, images=images, labels=labels)
    print(f"wrote {OUT} ({OUT.stat().st_size} bytes): {images.shape[0]} images, "
          f"label counts {np.bincount(labels).tolist()}")


if __name__ == "__main__":
    main()
