"""What a loaded classifier says about real photos, and the shape of what it returns."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from model_test_support import AVAILABLE_MODELS, mixed_batch
from PIL import Image

from cbis.errors import UsageError
from cbis.model.base import Classifier
from cbis.model.labels import imagenet_labels
from cbis.model.preprocess import CENTRE_CROP_FRACTION
from cbis.model.registry import _MODELS

# ImageNet's domestic cats: tabby, tiger cat, Persian, Siamese, Egyptian cat.
DOMESTIC_CATS = {"n02123045", "n02123159", "n02123394", "n02123597", "n02124075"}
# espresso, cup, coffee mug
COFFEE = {"n07920052", "n07930864", "n03063599"}
FEATURE_WIDTH = {"efficientnet-lite0": 1280, "mobilenet-v2": 1280, "inception-v3": 2048}

LoadClassifier = Callable[[str, str], Classifier]


def test_label_order_is_standard_imagenet() -> None:
    labels = imagenet_labels()
    assert len(labels.wnids) == len(labels.names) == 1000
    assert (labels.wnids[0], labels.names[0]) == ("n01440764", "tench")
    assert (labels.wnids[281], labels.names[281]) == ("n02123045", "tabby cat")
    assert (labels.wnids[967], labels.names[967]) == ("n07920052", "espresso")
    assert list(labels.wnids) == sorted(labels.wnids)


@pytest.mark.slow
@pytest.mark.parametrize("name", AVAILABLE_MODELS)
def test_recognises_cat_and_coffee(
    name: str, classifier_for: LoadClassifier, chelsea: Image.Image, coffee: Image.Image
) -> None:
    classifier = classifier_for(name, "auto")
    cat_top5, coffee_top5 = classifier.classify(np.stack([classifier.prepare(chelsea), classifier.prepare(coffee)]))
    assert cat_top5[0].wnid in DOMESTIC_CATS, cat_top5
    assert coffee_top5[0].wnid in COFFEE, coffee_top5
    assert {p.wnid for p in cat_top5} & DOMESTIC_CATS
    assert {p.wnid for p in coffee_top5} & COFFEE


@pytest.mark.slow
@pytest.mark.parametrize("name", AVAILABLE_MODELS)
def test_prediction_structure(name: str, classifier_for: LoadClassifier, chelsea: Image.Image) -> None:
    classifier = classifier_for(name, "auto")
    batch = mixed_batch(classifier, [chelsea], noise_count=2)
    for top_k in (1, 5, 20):
        rows = classifier.classify(batch, top_k=top_k)
        assert len(rows) == len(batch)
        for row in rows:
            assert [p.rank for p in row] == list(range(1, top_k + 1))
            scores = [p.score for p in row]
            assert scores == sorted(scores, reverse=True)
            assert all(isinstance(score, float) and 0.0 <= score <= 1.0 for score in scores)
            assert all(p.wnid.startswith("n") and p.label for p in row)
    with pytest.raises(UsageError):
        classifier.classify(batch, top_k=0)
    with pytest.raises(UsageError):
        classifier.classify(batch, top_k=21)
    with pytest.raises(ValueError, match="batch of shape"):
        classifier.classify(batch[0])


@pytest.mark.slow
@pytest.mark.parametrize("name", AVAILABLE_MODELS)
def test_embed_and_classify_and_embed(name: str, classifier_for: LoadClassifier, chelsea: Image.Image) -> None:
    classifier = classifier_for(name, "auto")
    batch = mixed_batch(classifier, [chelsea], noise_count=2)
    embeddings = classifier.embed(batch)
    assert embeddings.shape == (3, FEATURE_WIDTH[name])
    assert embeddings.dtype == np.float32
    predictions, joint_embeddings = classifier.classify_and_embed(batch, top_k=5)
    assert predictions == classifier.classify(batch, top_k=5)
    np.testing.assert_allclose(joint_embeddings, embeddings, rtol=1e-6, atol=1e-6)


@pytest.mark.slow
def test_batch_sizes_from_one_to_beyond_a_chunk(classifier_for: LoadClassifier, chelsea: Image.Image) -> None:
    """N = 1 and N = 70 (more than one internal slice of 64) give the same answer per image as N = 3."""
    classifier = classifier_for("efficientnet-lite0", "auto")
    batch = mixed_batch(classifier, [chelsea], noise_count=2)
    reference = classifier.embed(batch)
    np.testing.assert_allclose(classifier.embed(batch[:1]), reference[:1], atol=1e-5)
    large = np.concatenate([batch] * 24)[:70]
    embeddings = classifier.embed(large)
    assert embeddings.shape == (70, 1280)
    np.testing.assert_allclose(embeddings, np.concatenate([reference] * 24)[:70], atol=1e-5)


@pytest.mark.parametrize("name", list(_MODELS))
def test_prepare_shape_range_and_modes(name: str, chelsea: Image.Image) -> None:
    spec = _MODELS[name]
    prepared = spec.preprocessor(chelsea)
    assert prepared.shape == (spec.input_size, spec.input_size, 3)
    assert prepared.dtype == np.float32
    assert -3.0 < prepared.min() < prepared.max() < 3.0
    for mode in ("L", "RGBA", "P", "CMYK"):
        assert spec.preprocessor(chelsea.convert(mode)).shape == prepared.shape


@pytest.mark.parametrize("name", list(_MODELS))
def test_prepare_is_thread_safe(name: str, chelsea: Image.Image, coffee: Image.Image) -> None:
    spec = _MODELS[name]
    images = [chelsea, coffee] * 8
    expected = [spec.preprocessor(image) for image in images]
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(spec.preprocessor, images))
    for result, wanted in zip(results, expected, strict=True):
        np.testing.assert_array_equal(result, wanted)


@pytest.mark.parametrize("name", list(_MODELS))
def test_draft_size_never_forces_upscaling(name: str) -> None:
    """An image decoded down to draft_size on its shorter side still covers the network input without upscaling."""
    spec = _MODELS[name]
    covered = spec.draft_size * CENTRE_CROP_FRACTION if spec.preprocessor.centre_crop else spec.draft_size
    assert covered >= spec.input_size
    assert spec.draft_size == {"efficientnet-lite0": 256, "mobilenet-v2": 256, "inception-v3": 299}[name]


def test_centre_crop_matches_resize_then_crop(chelsea: Image.Image) -> None:
    """The one-pass crop box equals torchvision's Resize(256) + CenterCrop(224) up to resampling noise."""
    spec = _MODELS["mobilenet-v2"]
    width, height = chelsea.size
    scale = 256 / min(width, height)
    resized = chelsea.resize((round(width * scale), round(height * scale)), Image.Resampling.BILINEAR)
    left, top = (resized.width - 224) // 2, (resized.height - 224) // 2
    two_step = np.asarray(resized.crop((left, top, left + 224, top + 224)), dtype=np.float32) / 255.0
    one_step = spec.preprocessor(chelsea) * np.array([0.229, 0.224, 0.225]) + np.array([0.485, 0.456, 0.406])
    assert np.abs(one_step - two_step).mean() < 0.02
