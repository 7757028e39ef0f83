-- Every indicator row has either a value or a reason it has none, never both (and never a
-- zero standing in for missing data); the reason's code, English and Chinese text are set together
-- (a code missing from the indicator_missing_reasons seed would leave the texts NULL).
select
    indicator_code,
    area_code,
    period_start,
    value,
    missing_reason_code,
    missing_reason,
    missing_reason_zh
from {{ ref('fct_indicator_values') }}
where
    (value is null and missing_reason is null)
    or (value is not null and missing_reason is not null)
    or (missing_reason is null) != (missing_reason_zh is null)
    or (missing_reason is null) != (missing_reason_code is null)
