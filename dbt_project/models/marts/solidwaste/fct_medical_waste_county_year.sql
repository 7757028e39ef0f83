-- Medical waste per area (the county of each disposal centre, and the city) and year: the sums of
-- fct_medical_waste_monthly and the disposal rate (disposed / generated, MEDICAL_WASTE_DISPOSAL_RATE).

with

monthly as (

    select * from {{ ref('fct_medical_waste_monthly') }}

),

areas as (

    select
        area_code,
        county_code
    from {{ ref('int_area_counties_listed') }}

),

summed as (

    select
        areas.area_code,
        monthly.year,
        count(distinct monthly.centre_key) as centres,
        count(*) as centre_months,
        sum(monthly.generated_t) as generated_t,
        sum(monthly.collected_t) as collected_t,
        sum(monthly.disposed_t) as disposed_t
    from monthly
    inner join areas on monthly.county_code = areas.county_code
    group by areas.area_code, monthly.year

)

select
    cast(area_code as {{ type_string() }}) as area_code,
    cast(year as integer) as year,
    cast(centres as integer) as centres,
    cast(centre_months as integer) as centre_months,
    cast(generated_t as {{ type_double() }}) as generated_t,
    cast(collected_t as {{ type_double() }}) as collected_t,
    cast(disposed_t as {{ type_double() }}) as disposed_t,
    cast(
        case when generated_t > 0 then {{ round_half_up('100.0 * disposed_t / generated_t', 1) }} end
        as {{ type_double() }}
    ) as disposal_rate_pct
from summed
