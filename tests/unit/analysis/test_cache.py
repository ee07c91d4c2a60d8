from sentiment_ls.analysis.cache import LRUCache


def test_evicts_least_recently_used_by_size() -> None:
    cache: LRUCache[str] = LRUCache(max_bytes=10, weigh=lambda _text, value: len(value))
    cache.put("m", "a", "xxxx")
    cache.put("m", "b", "xxxx")
    assert cache.get("m", "a") == "xxxx"  # a is now the most recent
    cache.put("m", "c", "xxxx")  # 12 bytes > 10: the least recent (b) goes
    assert cache.get("m", "b") is None
    assert cache.get("m", "a") == "xxxx" and cache.get("m", "c") == "xxxx"
    assert cache.bytes == 8


def test_model_id_is_part_of_the_key_and_replacing_keeps_the_count_right() -> None:
    cache: LRUCache[str] = LRUCache(max_bytes=100, weigh=lambda _text, value: len(value))
    cache.put("model-a", "same text", "one")
    assert cache.get("model-b", "same text") is None
    cache.put("model-a", "same text", "three")
    assert cache.bytes == 5 and len(cache) == 1


def test_an_entry_larger_than_the_bound_is_still_kept_alone() -> None:
    cache: LRUCache[str] = LRUCache(max_bytes=3, weigh=lambda _text, value: len(value))
    cache.put("m", "big", "xxxxxxxx")
    assert cache.get("m", "big") == "xxxxxxxx"


def test_work_ahead_evicts_only_what_was_last_used_before_it_began() -> None:
    cache: LRUCache[str] = LRUCache(max_bytes=12, weigh=lambda _text, value: len(value))
    cache.put("m", "old", "xxxx")
    began = cache.stamp()
    assert cache.put("m", "a", "xxxx", keep_after=began)
    assert cache.put("m", "b", "xxxx", keep_after=began)
    assert cache.has_room(began)  # "old" may still go
    assert cache.put("m", "c", "xxxx", keep_after=began)  # over 12: "old" goes
    assert cache.get("m", "old") is None
    assert not cache.has_room(began)
    assert not cache.put("m", "d", "xxxx", keep_after=began)  # only the pass's own are left
    assert cache.get("m", "d") is None and cache.bytes == 12
    assert [cache.get("m", t) for t in "abc"] == ["xxxx"] * 3
    cache.put("m", "e", "xxxx")  # without `keep_after` (a hover): the least recent goes
    assert cache.get("m", "a") is None and cache.get("m", "e") == "xxxx"


def test_a_use_during_the_pass_protects_an_older_entry() -> None:
    cache: LRUCache[str] = LRUCache(max_bytes=8, weigh=lambda _text, value: len(value))
    cache.put("m", "wanted", "xxxx")
    cache.put("m", "stale", "xxxx")
    began = cache.stamp()
    assert cache.get("m", "wanted") == "xxxx"  # the pass found it ready
    assert cache.put("m", "new", "xxxx", keep_after=began)
    assert cache.get("m", "stale") is None and cache.get("m", "wanted") == "xxxx"
