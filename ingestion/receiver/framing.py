"""Cutting a device's TCP byte stream into frames, keeping every byte: the codec's
:func:`ingestion.hj212.codec.split_frames` (one framer for the receiver and the loaders' tools)."""

from __future__ import annotations

from ingestion.hj212.codec import split_frames as cut_frames

__all__ = ["cut_frames"]
