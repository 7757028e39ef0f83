-- General industrial solid waste per area (county of the generator, and the city) and year, from the
-- platform's ledgers (latest version): generated, utilised (of which from storage), disposed, stored, and
-- the comprehensive utilisation rate = utilised / (generated + utilised from storage) (ISW_UTILIZATION_RATE).

with

ledgers as (

    select
        isw.generator_key,
        isw.year,
        isw.generated_t,
        isw.utilised_t,
        isw.utilised_from_storage_t,
        isw.disposed_t,
        isw.stored_t,
        generators.county_code
    from {{ ref('stg_solidwaste__general_isw') }} as isw
    left join {{ ref('stg_solidwaste__generators') }} as generators
        on isw.generator_key = generators.record_key

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
        ledgers.year,
        count(distinct ledgers.generator_key) as generators,
        sum(ledgers.generated_t) as generated_t,
        sum(ledgers.utilised_t) as utilised_t,
        sum(ledgers.utilised_from_storage_t) as utilised_from_storage_t,
        sum(ledgers.disposed_t) as disposed_t,
        sum(ledgers.stored_t) as stored_t
    from ledgers
    inner join areas on ledgers.county_code = areas.county_code
    group by areas.area_code, ledgers.year

)

select
    cast(area_code as {{ type_string() }}) as area_code,
    cast(year as integer) as year,
    cast(generators as integer) as generators,
    cast(generated_t as {{ type_double() }}) as generated_t,
    cast(utilised_t as {{ type_double() }}) as utilised_t,
    cast(utilised_from_storage_t as {{ type_double() }}) as utilised_from_storage_t,
    cast(disposed_t as {{ type_double() }}) as disposed_t,
    cast(stored_t as {{ type_double() }}) as stored_t,
    cast(
        case
            when coalesce(generated_t, 0) + coalesce(utilised_from_storage_t, 0) > 0
                then {{ round_half_up(
                    '100.0 * utilised_t / (coalesce(generated_t, 0) + coalesce(utilised_from_storage_t, 0))', 1
                ) }}
        end as {{ type_double() }}
    ) as utilisation_rate_pct
from summed
