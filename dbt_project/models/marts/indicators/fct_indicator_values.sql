-- One row per registry indicator x area x period (see int_indicator_periods_spined). Each indicator
-- family model computes its indicators for every period of the spine, with a missing_reason_code
-- where it cannot; an indicator that no family model computes yet gets value NULL and
-- 'no_data_source'. Never zero-filled. The reason texts (English for engineers, Chinese for the
-- dashboards) come from the indicator_missing_reasons seed.
{%- set families = [
    ref('int_indicator_values__air'),
    ref('int_indicator_values__census'),
    ref('int_indicator_values__county_forms'),
    ref('int_indicator_values__lab'),
    ref('int_indicator_values__sources'),
    ref('int_indicator_values__solidwaste'),
    ref('int_indicator_values__water'),
] %}

with

spine as (

    select
        indicator_code,
        area_code,
        period_type,
        period_start,
        unit
    from {{ ref('int_indicator_periods_spined') }}

),

computed as (
    {% for family in families %}
    select
        indicator_code,
        area_code,
        period_type,
        period_start,
        value,
        numerator,
        denominator,
        method_version,
        as_of,
        load_ids,
        missing_reason_code
    from {{ family }}
    {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

missing_reasons as (

    select
        reason_code,
        reason_en,
        reason_zh
    from {{ ref('indicator_missing_reasons') }}

),

coded as (

    select
        spine.indicator_code,
        spine.area_code,
        spine.period_type,
        spine.period_start,
        computed.value,
        computed.numerator,
        computed.denominator,
        spine.unit,
        computed.method_version,
        computed.as_of,
        computed.load_ids,
        case
            when computed.indicator_code is null then 'no_data_source'
            else computed.missing_reason_code
        end as missing_reason_code

    from spine
    left join computed
        on
            spine.indicator_code = computed.indicator_code
            and spine.area_code = computed.area_code
            and spine.period_type = computed.period_type
            and spine.period_start = computed.period_start

),

final as (

    select
        coded.*,
        missing_reasons.reason_en as missing_reason,
        missing_reasons.reason_zh as missing_reason_zh
    from coded
    left join missing_reasons on coded.missing_reason_code = missing_reasons.reason_code

)

select
    cast(indicator_code as {{ type_string() }}) as indicator_code,
    cast(area_code as {{ type_string() }}) as area_code,
    cast(period_type as {{ type_string() }}) as period_type,
    cast(period_start as date) as period_start,
    cast(value as {{ type_double() }}) as value,
    cast(numerator as {{ type_double() }}) as numerator,
    cast(denominator as {{ type_double() }}) as denominator,
    cast(unit as {{ type_string() }}) as unit,
    cast(method_version as {{ type_string() }}) as method_version,
    cast(as_of as {{ type_timestamp() }}) as as_of,
    cast(load_ids as {{ type_string() }}) as load_ids,
    cast(missing_reason as {{ type_string() }}) as missing_reason,
    cast(missing_reason_zh as {{ type_string() }}) as missing_reason_zh,
    cast(missing_reason_code as {{ type_string() }}) as missing_reason_code,
    -- Air indicators are computed from validated hourly values only (flag N, no PM2.5 flatline).
    cast(
        case when value is not null and substr(indicator_code, 1, 4) = 'AIR_' then 'validated' end
        as {{ type_string() }}
    ) as data_basis
from final
