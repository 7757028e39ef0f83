-- Outliers among the 11 counties: modified z-score (Iglewicz & Hoaglin) of each county's value per
-- indicator and year, z = 0.6745 * (x - median) / MAD, flagged when |z| > 3.5. With MAD = 0 (half or
-- more of the counties share the median) the mean absolute deviation is used instead,
-- z = (x - median) / (1.253314 * MeanAD); when every value equals the median, z = 0.
{% set threshold = 3.5 %}
{% set min_counties = 3 %}

with

county_values as (

    select
        indicator_values.indicator_code,
        indicator_values.area_code,
        indicator_values.period_type,
        indicator_values.period_start,
        indicator_values.value
    from {{ ref('fct_indicator_values') }} as indicator_values
    inner join {{ ref('dim_area') }} as areas
        on indicator_values.area_code = areas.area_code
    where
        areas.area_level = 'county'
        and indicator_values.period_type = 'year'
        and indicator_values.value is not null

),

medians as (

    select
        indicator_code,
        period_start,
        count(*) as county_count,
        {{ percentile_cont('value', 0.5) }} as median_value
    from county_values
    group by indicator_code, period_start

),

deviations as (

    select
        county_values.*,
        medians.county_count,
        medians.median_value,
        abs(county_values.value - medians.median_value) as abs_deviation
    from county_values
    inner join medians
        on
            county_values.indicator_code = medians.indicator_code
            and county_values.period_start = medians.period_start

),

spreads as (

    select
        indicator_code,
        period_start,
        {{ percentile_cont('abs_deviation', 0.5) }} as mad,
        avg(abs_deviation) as mean_abs_deviation
    from deviations
    group by indicator_code, period_start

),

scored as (

    select
        deviations.*,
        spreads.mad,
        spreads.mean_abs_deviation,
        case
            when spreads.mad > 0 then 'mad'
            when spreads.mean_abs_deviation > 0 then 'mean_abs_deviation'
            else 'all_equal'
        end as z_method,
        case
            when spreads.mad > 0
                then 0.6745 * (deviations.value - deviations.median_value) / spreads.mad
            when spreads.mean_abs_deviation > 0
                then (deviations.value - deviations.median_value) / (1.253314 * spreads.mean_abs_deviation)
            else 0.0
        end as modified_z
    from deviations
    inner join spreads
        on
            deviations.indicator_code = spreads.indicator_code
            and deviations.period_start = spreads.period_start
    where deviations.county_count >= {{ min_counties }}

)

select
    cast(indicator_code as {{ type_string() }}) as indicator_code,
    cast(area_code as {{ type_string() }}) as area_code,
    cast(period_type as {{ type_string() }}) as period_type,
    cast(period_start as date) as period_start,
    cast(value as {{ type_double() }}) as value,
    cast(county_count as integer) as county_count,
    cast(median_value as {{ type_double() }}) as median_value,
    cast(mad as {{ type_double() }}) as mad,
    cast(mean_abs_deviation as {{ type_double() }}) as mean_abs_deviation,
    cast(z_method as {{ type_string() }}) as z_method,
    cast({{ round_half_up('modified_z', 4) }} as {{ type_double() }}) as modified_z,
    cast(abs(modified_z) > {{ threshold }} as {{ type_boolean() }}) as is_outlier
from scored
