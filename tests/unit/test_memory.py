"""release_memory gives freed heap pages back to the OS (what `zteco run` does before dbt)."""

from __future__ import annotations

from orchestration.memory import release_memory, rss_mib


def test_freed_heap_pages_in_the_middle_of_the_heap_go_back_to_the_os():
    # 200,000 blocks of 2 KiB (~400 MiB) from malloc's heap (above Python's small-object allocator,
    # below malloc's mmap threshold); one in 100 stays alive, so the heap's top is never free and
    # glibc keeps the freed pages in the middle unless it is asked to trim them.
    blocks = [bytearray(2048) for _ in range(200_000)]
    for b in blocks:
        b[0] = 1  # touch the pages so that they are resident
    grown = rss_mib()
    keep = blocks[::100]
    del blocks
    before = rss_mib()
    released = release_memory()
    assert released.before_mib >= before - 1
    assert before > grown - 100, "the freed blocks were already returned: the test shows nothing here"
    assert released.released_mib > 250, str(released)
    assert len(keep) == 2000
