"""HJ 212-2017 (污染物在线监控(监测)系统数据传输标准) packet codec.

See :mod:`ingestion.hj212.codec` for the packet format and the error rules, and
:mod:`ingestion.hj212.tools` for the line-by-line JSON decoder behind ``zteco hj212 decode``.
"""

from ingestion.hj212 import codec
from ingestion.hj212.codec import *  # noqa: F403 — the package re-exports the codec's public API

__all__ = codec.__all__
