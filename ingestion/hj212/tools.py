"""Line-oriented tools on HJ 212 packets (``zteco hj212 decode``)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from itertools import islice
from typing import Any, TextIO

from ingestion.hj212.codec import Hj212Error, Packet, parse_many

__all__ = ["decode_stream", "packet_record"]

_BATCH = 20_000
_HEADER_KEYS = ("qn", "st", "cn", "pw", "mn", "flag")


def packet_record(result: Packet | Hj212Error) -> dict[str, Any]:
    """The JSON object written for one line by :func:`decode_stream`.

    Keys, always all present: ``ok``; ``error`` (the reason sentence, null when ok);
    ``rule`` (the machine rule code, null when ok); ``qn``, ``st``, ``cn``, ``pw``, ``mn``,
    ``flag`` (int); ``cp`` (every CP key exactly as in the packet, string values). Header
    fields and ``cp`` are null for a line that is not a valid packet.
    """
    if isinstance(result, Hj212Error):
        record: dict[str, Any] = {"ok": False, "error": result.reason, "rule": result.rule}
        record.update(dict.fromkeys(_HEADER_KEYS))
        record["cp"] = None
        return record
    return {
        "ok": True,
        "error": None,
        "rule": None,
        "qn": result.qn,
        "st": result.st,
        "cn": result.cn,
        "pw": result.pw,
        "mn": result.mn,
        "flag": result.flag,
        "cp": dict(result.cp),
    }


def _non_empty(lines: Iterable[str]) -> Iterator[str]:
    for line in lines:
        # A fully empty line (nothing but its terminator) is not a packet: skip it.
        # Anything else, whitespace or garbage included, is reported.
        if line in ("", "\n", "\r\n", "\r"):
            continue
        yield line


def decode_stream(lines: Iterable[str], out: TextIO) -> None:
    """Decode HJ 212 packet lines and write one JSON object per non-empty line, in order.

    Lines may end with CR LF, with LF (a text-mode reader translated CR LF) or with nothing
    (the reader stripped it). Every line that is not fully empty yields an object, garbage
    included (``ok`` false with ``error`` and ``rule``); see :func:`packet_record` for the
    keys. JSON is written with ``ensure_ascii=False``. Lines are decoded in batches with the
    vectorised :func:`~ingestion.hj212.codec.parse_many`, so input is streamed.
    """
    source = _non_empty(lines)
    dumps = json.JSONEncoder(ensure_ascii=False).encode
    while True:
        batch = list(islice(source, _BATCH))
        if not batch:
            break
        out.writelines(dumps(packet_record(r)) + "\n" for r in parse_many(batch, require_crlf=False))
