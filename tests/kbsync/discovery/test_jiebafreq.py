"""jieba's dictionary from kb's flat copy: the same prefix dictionary and the same words as jieba's own load, and
jieba's own load whenever the copy is missing, damaged, or not of the dictionary in use."""
from __future__ import annotations

import tempfile

import pytest

from kbsync.discovery import jiebafreq

jieba = pytest.importorskip("jieba")

TEXT = "知识库是一个用于存储和管理知识的系统。我们在东京学习日本語和数据科学"


@pytest.fixture(scope="module")
def reference() -> tuple[dict[str, int], int, list[str]]:
    own = jieba.Tokenizer()
    own.initialize()
    return own.FREQ, own.total, own.lcut(TEXT)


@pytest.fixture
def folder(tmp_path, monkeypatch):
    monkeypatch.setattr(jiebafreq, "DIR", str(tmp_path))
    return tmp_path


def _loaded(dt=None):
    dt = dt or jieba.Tokenizer()
    jiebafreq.initialize(jieba, dt)
    assert dt.initialized
    return dt


def test_the_copy_is_written_after_jiebas_own_load_and_read_back_the_same(folder, reference):
    freq, total, words = reference
    first = _loaded()  # no copy yet: jieba's own load, then the copy
    assert len(list(folder.glob("kb-jieba-*.freq"))) == 1
    second = _loaded()  # from the copy
    for dt in (first, second):
        assert dt.FREQ == freq and list(dt.FREQ) == list(freq) and dt.total == total
        assert dt.lcut(TEXT) == words


@pytest.mark.parametrize("damage", ["truncated", "empty", "other magic", "words missing"])
def test_a_damaged_copy_means_jiebas_own_load(folder, reference, damage):
    _loaded()
    path = next(folder.glob("kb-jieba-*.freq"))
    data = path.read_bytes()
    path.write_bytes({"truncated": data[: len(data) // 3], "empty": b"", "other magic": b"x" + data[1:],
                      "words missing": data[: data.rindex(b"\n")]}[damage])
    dt = _loaded()
    assert dt.FREQ == reference[0] and dt.total == reference[1] and dt.lcut(TEXT) == reference[2]


def test_a_custom_dictionary_is_never_taken_from_the_copy(folder, tmp_path, monkeypatch):
    _loaded()  # a copy of the default dictionary is there
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # (jieba's own cache of that dictionary: not in /tmp)
    custom = tmp_path / "dict.txt"
    custom.write_text("知识库 5 n\n系统 3 n\n", encoding="utf-8")
    dt = jieba.Tokenizer(str(custom))
    jiebafreq.initialize(jieba, dt)
    assert dt.total == 8 and "存储" not in dt.FREQ  # jieba's own load of that file
