"""The local version clock reloads only when some process has committed since its last look."""

from __future__ import annotations

from pathlib import Path

from app.clock import LocalClock


def test_local_clock_reloads_only_after_a_touch(tmp_path: Path) -> None:
    loads: list[int] = []
    truth = {"catalog": 1}

    def load() -> dict[str, int]:
        loads.append(1)
        return dict(truth)

    epoch = tmp_path / "versions.epoch"
    reader, writer = LocalClock(load, epoch), LocalClock(load, epoch)
    assert reader.versions() == {"catalog": 1}
    assert reader.versions() == {"catalog": 1}
    assert len(loads) == 1
    truth["catalog"] = 2
    writer.advance({"catalog": 2})  # another "process" committed and touched the epoch file
    assert reader.versions() == {"catalog": 2}
    assert len(loads) == 2
    assert reader.versions() == {"catalog": 2} and len(loads) == 2
