-- Every indicator row has either a value or a reason it has none, never both (and never a
-- zero standing in for missing data).
select
    indicator_code,
    area_code,
    period_start,
    value,
    missing_reason
from {{ ref('fct_indicator_values') }}
where
    (value is null and missing_reason is null)
    or (value is not null and missing_reason is not null)
