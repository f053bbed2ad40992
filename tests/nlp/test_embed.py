import pickle

import numpy as np
import pytest

from nlp.embed import available_cores, get_embedder, names


def test_registry_lists_backends_and_rejects_unknown():
    assert {"use", "e5", "tfidf", "sentence-transformers"} <= set(names())
    with pytest.raises(ValueError, match="unknown embedder 'bert'; choose one of"):
        get_embedder("bert")


def test_sentence_transformers_is_optional():
    with pytest.raises(RuntimeError, match="pip install koe\\[sentence-transformers\\]"):
        get_embedder("sentence-transformers")


def test_threads_follow_available_cores():
    assert get_embedder("use").threads == available_cores()
    assert get_embedder("e5").threads == available_cores()


@pytest.mark.parametrize("name", ["use", "e5"])
def test_similar_complaints_are_closer_than_unrelated(name):
    vectors = get_embedder(name).embed(["商品がまだ届きません", "注文した品物が届かない", "温泉の泉質を教えてください"])
    assert vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2] + 0.1


def test_use_embedder_pickles_without_weights(use_embedder):
    use_embedder.embed(["ログインできない"])
    clone = pickle.loads(pickle.dumps(use_embedder))
    assert clone._model is None
    assert np.allclose(clone.embed(["ログインできない"]), use_embedder.embed(["ログインできない"]), atol=1e-5)


def test_tfidf_embedder_fits_on_its_corpus(asdc_sample):
    texts = [r["text"] for r in asdc_sample]
    embedder = get_embedder("tfidf", dim=32)
    assert not embedder.cacheable
    vectors = embedder.embed(texts)
    assert vectors.shape == (len(texts), 32)
