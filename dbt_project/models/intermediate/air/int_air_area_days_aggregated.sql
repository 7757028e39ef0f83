-- Area value of a day = mean over the area's stations that have a valid daily value (county: its
-- stations; city: the city assessment stations), per pollutant, from the stations' unrounded daily
-- statistics; the AQI is then recomputed from the area's concentrations (not the mean or max of the
-- stations' AQIs).

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

memberships as (

    select
        station_code,
        area_code
    from {{ ref('int_air_station_areas_mapped') }}

),

area_days as (

    select
        memberships.area_code,
        station_days.date,
        avg(station_days.pm2_5) as pm2_5,
        avg(station_days.pm10) as pm10,
        avg(station_days.so2) as so2,
        avg(station_days.no2) as no2,
        avg(station_days.co) as co,
        avg(station_days.o3_1h_max) as o3_1h_max,
        avg(station_days.o3_8h_max) as o3_8h_max,
        count(
            distinct case
                when
                    station_days.pm2_5 is not null
                    or station_days.pm10 is not null
                    or station_days.so2 is not null
                    or station_days.no2 is not null
                    or station_days.co is not null
                    or station_days.o3_1h_max is not null
                    or station_days.o3_8h_max is not null
                    then station_days.station_code
            end
        ) as station_count
    from station_days
    inner join memberships on station_days.station_code = memberships.station_code
    group by memberships.area_code, station_days.date

),

{{ score_air_days('area_days', ['area_code', 'date']) }},

final as (

    select
        aqi_scored.area_code,
        aqi_scored.date,
        aqi_scored.pm2_5,
        aqi_scored.pm10,
        aqi_scored.so2,
        aqi_scored.no2,
        aqi_scored.co,
        aqi_scored.o3_1h_max,
        aqi_scored.o3_8h_max,
        aqi_scored.iaqi_pm2_5,
        aqi_scored.iaqi_pm10,
        aqi_scored.iaqi_so2,
        aqi_scored.iaqi_no2,
        aqi_scored.iaqi_co,
        aqi_scored.iaqi_o3_1h,
        aqi_scored.iaqi_o3_8h,
        aqi_scored.has_all_pollutants,
        aqi_scored.aqi,
        aqi_scored.primary_pollutant,
        aqi_scored.category,
        area_days.station_count
    from aqi_scored
    inner join area_days
        on
            aqi_scored.area_code = area_days.area_code
            and aqi_scored.date = area_days.date

)

select * from final
