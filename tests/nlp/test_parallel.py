"""Steps over both cores give what they give in one process (nlp/parallel.py): the parts are interleaved and
put back in order."""

import pytest

from nlp import parallel
from nlp.doctype import shipped_typer
from nlp.tokenize import tokenize_many


@pytest.fixture
def every_batch_parallel(monkeypatch):
    if not parallel.may_start_workers():
        pytest.skip("one core, or a daemonic process: steps run in the process itself")
    monkeypatch.setattr(parallel, "MIN_PARALLEL_ITEMS", 2)


def test_tokens_from_the_workers_are_the_tokens_of_one_process(asdc_sample, every_batch_parallel):
    texts = [r["text"] for r in asdc_sample][:120]
    assert parallel.map_parts(tokenize_many, texts) == tokenize_many(texts)
    assert parallel.available_cores() in parallel._POOLS  # the workers did it, and their pool stays


def test_types_from_the_workers_are_the_types_of_one_process(asdc_sample, every_batch_parallel, monkeypatch):
    texts = [r["text"] for r in asdc_sample][:120] + ["届いたお皿が割れていました。", "領収書をお願いします。"]
    typer = shipped_typer()
    parallel_types = typer.classify_many(texts)
    parallel_doubts = typer.doubts(texts)
    monkeypatch.setattr(parallel, "MIN_PARALLEL_ITEMS", 10**9)
    assert parallel_types == typer.classify_many(texts)
    assert (parallel_doubts == typer.doubts(texts)).all()


def test_a_small_batch_stays_in_the_process(asdc_sample):
    texts = [r["text"] for r in asdc_sample][:5]
    assert len(texts) < parallel.MIN_PARALLEL_ITEMS
    assert parallel.map_parts(tokenize_many, texts) == tokenize_many(texts)
