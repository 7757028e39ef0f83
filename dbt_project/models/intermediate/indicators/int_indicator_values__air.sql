-- Air indicators from the HJ 663-2013 annual assessment of each area. A year that fails the
-- HJ 663-2013 validity rule gets no value (its statistics stay visible in fct_air_annual_area).
-- AIR_PM25_MEAN (annual mean of daily means), AIR_GOOD_DAYS_RATIO (AQI <= 100 / valid days),
-- AIR_HEAVY_POLLUTION_DAYS (daily AQI > 200; numerator = those days, denominator = valid days) and
-- AIR_O3_8H_P90 (90th percentile of the daily maximum 8-hour O3 means, HJ 663-2013 percentile rule).

with

spine as (

    select
        indicator_code,
        area_code,
        period_type,
        period_start,
        year
    from {{ ref('int_indicator_periods_spined') }}
    where indicator_code in ('AIR_PM25_MEAN', 'AIR_GOOD_DAYS_RATIO', 'AIR_HEAVY_POLLUTION_DAYS', 'AIR_O3_8H_P90')

),

area_years as (

    select
        area_code,
        year,
        valid_days,
        pm2_5_mean,
        good_days,
        good_days_ratio,
        heavy_pollution_days,
        o3_8h_p90,
        is_valid_year
    from {{ ref('int_air_area_years_aggregated') }}

),

memberships as (

    select
        station_code,
        area_code
    from {{ ref('int_air_station_areas_mapped') }}

),

-- The hours behind each area-year: latest data time and the loads they came from.
lineage as (

    select
        memberships.area_code,
        cast(extract(year from hourly.date) as integer) as year,
        max(hourly.data_time) as as_of,
        {{ string_agg_distinct_sorted('hourly.load_id', ',') }} as load_ids
    from {{ ref('int_air_hourly_validated') }} as hourly
    inner join memberships on hourly.station_code = memberships.station_code
    where
        hourly.pm2_5 is not null
        or hourly.pm10 is not null
        or hourly.so2 is not null
        or hourly.no2 is not null
        or hourly.co is not null
        or hourly.o3 is not null
    group by memberships.area_code, cast(extract(year from hourly.date) as integer)

),

monitored_areas as (

    select distinct area_code
    from memberships

),

assessed as (

    select
        spine.indicator_code,
        spine.area_code,
        spine.period_type,
        spine.period_start,
        lineage.as_of,
        lineage.load_ids,
        case
            when area_years.is_valid_year and spine.indicator_code = 'AIR_PM25_MEAN'
                then area_years.pm2_5_mean
            when area_years.is_valid_year and spine.indicator_code = 'AIR_GOOD_DAYS_RATIO'
                then area_years.good_days_ratio
            when area_years.is_valid_year and spine.indicator_code = 'AIR_HEAVY_POLLUTION_DAYS'
                then area_years.heavy_pollution_days
            when area_years.is_valid_year and spine.indicator_code = 'AIR_O3_8H_P90'
                then area_years.o3_8h_p90
        end as value,
        case
            when area_years.is_valid_year and spine.indicator_code = 'AIR_GOOD_DAYS_RATIO'
                then area_years.good_days
            when area_years.is_valid_year and spine.indicator_code = 'AIR_HEAVY_POLLUTION_DAYS'
                then area_years.heavy_pollution_days
        end as numerator,
        case
            when
                area_years.is_valid_year
                and spine.indicator_code in ('AIR_GOOD_DAYS_RATIO', 'AIR_HEAVY_POLLUTION_DAYS')
                then area_years.valid_days
        end as denominator,
        monitored_areas.area_code is not null as has_station,
        area_years.area_code is not null as has_data,
        coalesce(area_years.is_valid_year, false) as is_valid_year

    from spine
    left join area_years
        on
            spine.area_code = area_years.area_code
            and spine.year = area_years.year
    left join lineage
        on
            spine.area_code = lineage.area_code
            and spine.year = lineage.year
    left join monitored_areas on spine.area_code = monitored_areas.area_code

),

final as (

    select
        indicator_code,
        area_code,
        period_type,
        period_start,
        value,
        numerator,
        denominator,
        {{ method_version(['air_annual_assessment']) }} as method_version,
        as_of,
        load_ids,
        -- reason codes of the indicator_missing_reasons seed (texts live there)
        case
            when value is not null then null
            when not has_station then 'no_station'
            when not has_data then 'no_data_in_year'
            when not is_valid_year then 'too_few_valid_days'
            else 'no_valid_pollutant_value'
        end as missing_reason_code
    from assessed

)

select * from final
