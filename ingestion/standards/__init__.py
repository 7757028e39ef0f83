"""National standards the platform's computations follow (method versions recorded on results)."""

from ingestion.standards.hj633 import STANDARD as HJ633_STANDARD
from ingestion.standards.hj633 import AqiResult, aqi_csv_stream, breakpoint_rows, daily_aqi, hourly_aqi, iaqi

__all__ = [
    "HJ633_STANDARD",
    "AqiResult",
    "aqi_csv_stream",
    "breakpoint_rows",
    "daily_aqi",
    "hourly_aqi",
    "iaqi",
]
