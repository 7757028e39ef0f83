"""Cutting a device's TCP byte stream into frames, keeping every byte.

Like :func:`ingestion.hj212.codec.split_frames` (which the loaders' tools use), guided by the length
field, but tuned for a live stream:

* a packet starts at ``##`` followed by four digits; ``##`` followed by anything else is not a packet
  start, so garbage ending in ``#`` right before a packet (``…#`` + ``##0101…``) does not swallow it;
* every byte ends up in a frame: garbage between packets (CR LF included) becomes a frame of its
  own, to be quarantined; nothing is dropped;
* a wrong length field is detected as soon as a CR LF followed by the next packet start is seen, so a
  damaged packet does not hold up the ones behind it.
"""

from __future__ import annotations

import re

_START = re.compile(rb"##[0-9]{4}")


def cut_frames(buffer: bytes, *, final: bool = False) -> tuple[list[bytes], bytes]:
    """Frames complete in ``buffer`` and the bytes to keep for the next read (``final``: no rest)."""
    frames: list[bytes] = []
    pos = 0
    n = len(buffer)
    while pos < n:
        m = _START.search(buffer, pos)
        if m is None:
            # No packet start: hand over garbage up to its last CR LF, keep the tail (it may be the
            # beginning of a packet start: '#', '##', '##0' …).
            crlf = buffer.rfind(b"\r\n", pos)
            if crlf >= 0:
                frames.append(buffer[pos:crlf + 2])
                pos = crlf + 2
            break
        start = m.start()
        if start > pos:
            frames.append(buffer[pos:start])  # garbage before the packet
            pos = start
        end = start + 6 + int(buffer[start + 2:start + 6]) + 6
        if end <= n and buffer[end - 2:end] == b"\r\n":
            frames.append(buffer[start:end])
            pos = end
            continue
        # The length field does not lead to CR LF: either the packet is incomplete, or the field is wrong.
        crlf = buffer.find(b"\r\n", start + 6)
        if crlf >= 0 and (end <= n or _START.match(buffer, crlf + 2) is not None):
            frames.append(buffer[start:crlf + 2])  # wrong length: the frame ends at its CR LF
            pos = crlf + 2
            continue
        break  # incomplete: wait for more bytes
    rest = buffer[pos:]
    if final and rest:
        frames.append(rest)
        rest = b""
    return frames, rest
