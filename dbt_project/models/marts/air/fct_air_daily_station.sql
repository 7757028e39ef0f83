with

station_days as (

    select
        station_code,
        date,
        aqi,
        category,
        primary_pollutant,
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
        iaqi_o3_8h
    from {{ ref('int_air_station_days_scored') }}

),

stations as (

    select
        station_code,
        county_code,
        is_city_assessment
    from {{ ref('stg_monitoring__air_stations') }}

),

final as (

    select
        station_days.station_code,
        stations.county_code as area_code,
        station_days.date,
        station_days.aqi,
        station_days.category,
        station_days.primary_pollutant,
        station_days.pm2_5,
        station_days.pm10,
        station_days.so2,
        station_days.no2,
        station_days.co,
        station_days.o3_1h_max,
        station_days.o3_8h_max,
        station_days.iaqi_pm2_5,
        station_days.iaqi_pm10,
        station_days.iaqi_so2,
        station_days.iaqi_no2,
        station_days.iaqi_co,
        station_days.iaqi_o3_1h,
        station_days.iaqi_o3_8h,
        station_days.aqi <= 100 as is_good,
        station_days.aqi > 200 as is_heavy,
        stations.is_city_assessment,
        {{ method_version(['air_aqi', 'air_daily_validity']) }} as method_version

    from station_days
    inner join stations on station_days.station_code = stations.station_code

)

select * from final
