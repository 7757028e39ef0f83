with

station_days as (

    select
        station_code,
        date,
        pm2_5,
        pm10,
        so2,
        no2,
        co,
        o3_1h_max,
        o3_8h_max
    from {{ ref('int_air_station_days_aggregated') }}

),

{{ score_air_days('station_days', ['station_code', 'date']) }},

final as (

    select
        station_code,
        date,
        pm2_5,
        pm10,
        so2,
        no2,
        co,
        o3_1h_max,
        o3_8h_max,
        iaqi_pm2_5,
        iaqi_pm10,
        iaqi_so2,
        iaqi_no2,
        iaqi_co,
        iaqi_o3_1h,
        iaqi_o3_8h,
        has_all_pollutants,
        aqi,
        primary_pollutant,
        category
    from aqi_scored

)

select * from final
