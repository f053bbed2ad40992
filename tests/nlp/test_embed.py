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


def test_parallelism_follows_available_cores():
    for name in ("use", "e5"):
        default = get_embedder(name)  # a single-thread worker process per core for large calls
        assert (default.processes, default.threads) == (available_cores(), 1)
        pinned = get_embedder(name, threads=available_cores())  # a caller that manages its own processes
        assert (pinned.processes, pinned.threads) == (1, available_cores())


def test_a_large_call_split_over_worker_processes_gives_the_same_vectors(asdc_sample):
    from nlp.embed.base import MIN_PARALLEL_TEXTS

    texts = [f"{r['text']}（{i}）" for i, r in enumerate(asdc_sample * 3)][: MIN_PARALLEL_TEXTS + 100]
    assert len(texts) > MIN_PARALLEL_TEXTS
    from nlp import parallel

    vectors = get_embedder("use", processes=2).embed(texts)
    assert 2 in parallel._POOLS  # the call really went to the workers, whose pool stays for the next embedder
    alone = get_embedder("use", threads=1).embed(texts)
    assert vectors.shape == (len(texts), 512) and np.allclose(vectors, alone, atol=1e-5)


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
