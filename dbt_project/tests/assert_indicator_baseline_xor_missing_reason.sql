-- Every baseline has either a value (and its source) or a reason it has none, never both; the
-- reason's code, English and Chinese text are set together.
select
    indicator_code,
    area_code,
    baseline_value,
    baseline_source,
    missing_reason_code,
    missing_reason,
    missing_reason_zh
from {{ ref('fct_indicator_baselines') }}
where
    (baseline_value is null) = (missing_reason is null)
    or (baseline_value is null) != (baseline_source is null)
    or (missing_reason is null) != (missing_reason_zh is null)
    or (missing_reason is null) != (missing_reason_code is null)
