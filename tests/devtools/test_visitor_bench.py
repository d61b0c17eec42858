"""The visitor-shaped benchmark's pieces that decide what it reports: shapes, turns, targets."""

from __future__ import annotations

import argparse
from pathlib import Path

from bench import visitor_bench, visitors
from bench.visitor_bench import Memory, Target, target_rows, write_block


def test_the_long_conversation_has_forty_turns_and_the_same_five_first_and_last() -> None:
    long = visitors.LONG.turns
    assert len(long) == 40
    first = [long[i - 1] for i in visitors.FIRST_TURNS]
    last = [long[i - 1] for i in visitors.LAST_TURNS]
    assert first == last and len(first) == 5


def test_check_answer_positions_are_answers_in_the_check_shape() -> None:
    for turn in visitor_bench.CHECK_ANSWER_TURNS:
        text = visitors.CHECK.turns[turn - 1]
        assert text is visitors.last_button or (isinstance(text, str) and "?" not in text
                                                and text not in ("stop", "ja", "ga verder"))


def test_a_clicked_check_answer_skips_the_change_my_answer_button() -> None:
    replies = [{"text": "Genoteerd: vaak. Vraag 2 van 11", "buttons": [
        {"title": "Nooit", "payload": "Nooit"}, {"title": "Altijd", "payload": "Altijd"},
        {"title": "Vorige antwoord aanpassen", "payload": '/inform{"check_fix":"vorige"}'}]}]
    assert visitors.last_button(replies) == "Altijd"


def test_the_first_offered_time_is_picked_and_without_offer_another_moment_asked() -> None:
    replies = [{"buttons": [
        {"title": "Ander moment", "payload": '/inform{"slot_choice":"ander"}'},
        {"title": "do 3 dec 14:00", "payload": '/inform{"slot_choice":"2026-12-03T14:00"}'}]}]
    assert visitors.first_slot_button(replies) == '/inform{"slot_choice":"2026-12-03T14:00"}'
    assert visitors.first_slot_button([{"text": "geen tijden"}]) == "ander moment"


def test_phase_percentiles_by_turn_and_growth() -> None:
    phase = visitors.Phase("embedded", "long", 1)
    phase.samples = [(t, 10.0) for t in visitors.FIRST_TURNS]
    phase.samples += [(t, 12.0) for t in range(6, 36)]
    phase.samples += [(t, 13.0) for t in visitors.LAST_TURNS]
    phase.seconds = 2.0
    assert phase.throughput == len(phase.samples) / 2.0
    assert phase.pct(50, visitors.LAST_TURNS) == 13.0
    assert visitor_bench.growth(phase) == 1.3
    assert phase.by_turn()[1] == [10.0]


def _target(name: str, users: int, throughput: float, p50: float, p95: float) -> Target:
    """A target with a phase at 1 and at ``users`` users: p50 on the answers, p95 at the tail."""
    phases = []
    for level in (1, users):
        phase = visitors.Phase(name, "check", level)
        phase.samples = [(4, p50)] * 18 + [(3, p95)] * 2
        phase.seconds = len(phase.samples) / throughput
        phases.append(phase)
    return Target(name, "http://x", [], visitors.CHECK, phases)


def test_targets_pass_at_their_limits_and_fail_just_beyond() -> None:
    base = _target("moodbot", 10, 10.0, 50, 50)
    ok = {"moodbot": base, "scaled-2w": _target("scaled-2w", 10, 15.0, 25, 300),
          "embedded": _target("embedded", 10, 12.0, 25, 300)}
    rows = target_rows(ok, [], {"embedded": [Memory(1100.0, 900.0, 200.0)]})
    assert all(r.endswith("| PASS |") for r in rows), rows
    bad = {"moodbot": base, "scaled-2w": _target("scaled-2w", 10, 14.9, 20, 301),
           "embedded": _target("embedded", 10, 11.9, 20, 300)}
    rows = target_rows(bad, [], {"embedded": [Memory(1101.0, 900.0, 200.0)]})
    failed = [r for r in rows if r.endswith("| FAIL |")]
    assert len(failed) == 4, rows


def test_results_block_is_replaced_and_the_rest_kept(tmp_path: Path) -> None:
    path = tmp_path / "RESULTS.md"
    path.write_text("# Benchmark results\n\nhand-written\n")
    write_block(path, ["one"])
    write_block(path, ["two"])
    text = path.read_text()
    assert "hand-written" in text and "two" in text and "one" not in text
    assert text.count(visitor_bench.BEGIN) == 1


def test_quick_run_is_small_and_a_full_run_measures_about_four_hundred_messages() -> None:
    args = visitor_bench.parse_args(["--quick"])
    assert isinstance(args, argparse.Namespace) and args.rounds == 1
    for users in (1, 10, 50):
        each = visitor_bench.conversations_for(users, visitors.CHECK, quick=False)
        assert 300 <= each * users * len(visitors.CHECK.turns) <= 1000


def _cached_pages(path: Path) -> int:
    """Pages of ``path`` in the page cache: mincore(2) over a read-only mapping of it."""
    import ctypes
    import mmap

    size = path.stat().st_size
    pages = (size + mmap.PAGESIZE - 1) // mmap.PAGESIZE
    vec = (ctypes.c_ubyte * pages)()
    libc = ctypes.CDLL(None, use_errno=True)
    libc.mmap.restype = ctypes.c_void_p
    libc.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int,
                          ctypes.c_int, ctypes.c_long]
    with path.open("rb") as handle:
        address = libc.mmap(None, size, mmap.PROT_READ, mmap.MAP_SHARED, handle.fileno(), 0)
        assert address not in (None, ctypes.c_void_p(-1).value)
        try:
            assert libc.mincore(ctypes.c_void_p(address), ctypes.c_size_t(size), vec) == 0
        finally:
            libc.munmap(ctypes.c_void_p(address), ctypes.c_size_t(size))
    return sum(b & 1 for b in vec)


def test_big_libraries_are_dropped_from_the_page_cache_and_small_ones_kept(
    tmp_path: Path, monkeypatch
) -> None:
    big = tmp_path / "lib" / "libbig.so.2"
    small = tmp_path / "lib" / "libsmall.so"
    big.parent.mkdir()
    big.write_bytes(b"x" * (visitor_bench.BIG_LIBRARY_BYTES + 4096))
    small.write_bytes(b"y" * 8192)
    big.read_bytes(), small.read_bytes()  # both in the page cache now
    assert _cached_pages(big) > 0 and _cached_pages(small) == 2
    monkeypatch.setattr(visitor_bench.sys, "prefix", str(tmp_path))
    assert visitor_bench.libraries_from_disk() == 1
    assert _cached_pages(big) == 0
    assert _cached_pages(small) == 2
