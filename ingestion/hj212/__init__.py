"""HJ 212-2017 (污染物在线监控(监测)系统数据传输标准) packet codec.

See :mod:`ingestion.hj212.codec` for the packet format and the error rules, and
:mod:`ingestion.hj212.tools` for the line-by-line JSON decoder behind ``zteco hj212 decode``.
"""

from ingestion.hj212.codec import (
    CRC_TABLE,
    FLAG_ACK,
    FLAG_SPLIT,
    FLAG_V2017,
    Hj212Error,
    Packet,
    build_air_hourly,
    build_packet,
    crc16,
    crc16_many,
    format_crc,
    format_value,
    parse_datatime,
    parse_many,
    parse_packet,
    reassemble,
    split_frames,
)

__all__ = [
    "CRC_TABLE",
    "FLAG_ACK",
    "FLAG_SPLIT",
    "FLAG_V2017",
    "Hj212Error",
    "Packet",
    "build_air_hourly",
    "build_packet",
    "crc16",
    "crc16_many",
    "format_crc",
    "format_value",
    "parse_datatime",
    "parse_many",
    "parse_packet",
    "reassemble",
    "split_frames",
]
