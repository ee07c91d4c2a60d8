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
