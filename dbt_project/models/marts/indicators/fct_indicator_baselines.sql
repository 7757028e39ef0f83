{%- set plan_baseline_year = var('plan_baseline_year') -%}

-- The baseline of each indicator x area (the area spine of fct_indicator_values): "computed from
-- the 2020 data unless the registry gives one". The registry's baseline_value is one figure per
-- indicator, the plan's (city) figure: it is the city's baseline; a county's baseline is always its
-- own computed value. With neither, baseline_value is NULL and the missing_reason says why (the
-- reason the baseline year's value is missing).

with

registry as (

    select
        code as indicator_code,
        coalesce(baseline_year, {{ plan_baseline_year }}) as baseline_year,
        baseline_value
    from {{ ref('indicator_registry') }}

),

areas as (

    select
        area_code,
        area_level
    from {{ ref('counties') }}

),

indicator_values as (

    select
        indicator_code,
        area_code,
        cast(extract(year from period_start) as integer) as year,
        value,
        method_version,
        as_of,
        load_ids,
        missing_reason_code
    from {{ ref('fct_indicator_values') }}
    where period_type = 'year'

),

indicator_areas as (

    select distinct
        indicator_code,
        area_code
    from indicator_values

),

missing_reasons as (

    select
        reason_code,
        reason_en,
        reason_zh
    from {{ ref('indicator_missing_reasons') }}

),

chosen as (

    select
        indicator_areas.indicator_code,
        indicator_areas.area_code,
        registry.baseline_year,
        indicator_values.value as computed_value,
        registry.baseline_value as registry_value,
        indicator_values.method_version,
        indicator_values.as_of,
        indicator_values.load_ids,
        case
            when areas.area_level = 'city' and registry.baseline_value is not null then 'registry'
            when indicator_values.value is not null then 'computed'
        end as baseline_source,
        case
            -- no row for the baseline year: it is outside the reported periods
            when indicator_values.indicator_code is null then 'baseline_year_not_reported'
            else indicator_values.missing_reason_code
        end as computed_missing_reason_code

    from indicator_areas
    inner join registry on indicator_areas.indicator_code = registry.indicator_code
    inner join areas on indicator_areas.area_code = areas.area_code
    left join indicator_values
        on
            indicator_areas.indicator_code = indicator_values.indicator_code
            and indicator_areas.area_code = indicator_values.area_code
            and registry.baseline_year = indicator_values.year

),

final as (

    select
        chosen.indicator_code,
        chosen.area_code,
        chosen.baseline_year,
        chosen.baseline_source,
        case
            when chosen.baseline_source = 'registry' then chosen.registry_value
            when chosen.baseline_source = 'computed' then chosen.computed_value
        end as baseline_value,
        case when chosen.baseline_source = 'computed' then chosen.method_version end as method_version,
        case when chosen.baseline_source = 'computed' then chosen.as_of end as as_of,
        case when chosen.baseline_source = 'computed' then chosen.load_ids end as load_ids,
        case when chosen.baseline_source is null then chosen.computed_missing_reason_code end as missing_reason_code

    from chosen

)

select
    cast(final.indicator_code as {{ type_string() }}) as indicator_code,
    cast(final.area_code as {{ type_string() }}) as area_code,
    cast(final.baseline_year as integer) as baseline_year,
    cast(final.baseline_value as {{ type_double() }}) as baseline_value,
    cast(final.baseline_source as {{ type_string() }}) as baseline_source,
    cast(final.method_version as {{ type_string() }}) as method_version,
    cast(final.as_of as {{ type_timestamp() }}) as as_of,
    cast(final.load_ids as {{ type_string() }}) as load_ids,
    cast(missing_reasons.reason_en as {{ type_string() }}) as missing_reason,
    cast(missing_reasons.reason_zh as {{ type_string() }}) as missing_reason_zh,
    cast(final.missing_reason_code as {{ type_string() }}) as missing_reason_code
from final
left join missing_reasons on final.missing_reason_code = missing_reasons.reason_code
