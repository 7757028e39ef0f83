-- Which areas each air station counts in: its county, and the city when it is a city
-- assessment station (HJ 663-2013: the city value is the mean of the assessment stations).

with

stations as (

    select
        station_code,
        county_code,
        is_city_assessment
    from {{ ref('stg_monitoring__air_stations') }}

),

cities as (

    select area_code
    from {{ ref('counties') }}
    where area_level = 'city'

),

county_members as (

    select
        station_code,
        county_code as area_code
    from stations

),

city_members as (

    select
        stations.station_code,
        cities.area_code
    from stations
    cross join cities
    where stations.is_city_assessment

),

unioned as (

    select
        station_code,
        area_code
    from county_members

    union all

    select
        station_code,
        area_code
    from city_members

)

select * from unioned
