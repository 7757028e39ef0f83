-- Storage-facility compliance (plan ch. 8: enterprises producing > 1000 t/yr of general industrial solid
-- waste and all HW generators need compliant storage), per platform generator and indicator year: in
-- scope when registered by 31 December and not closed by then (the first version with status closed, from
-- the history: a unit closed later counts in the years it was active), and either registered as an HW
-- generator or above the general-waste threshold (seed solidwaste_tolerances; a unit registered for general
-- industrial solid waste only is in scope through it); compliant when the platform records compliant
-- storage checked on or before 31 December.

with

years as (

    select distinct year from {{ ref('int_indicator_periods_spined') }}

),

generators as (

    select * from {{ ref('int_hw_generators_linked') }}

),

closures as (

    select
        record_key,
        min(cast(updated_at as date)) as closed_on
    from {{ ref('stg_solidwaste__generators_history') }}
    where status = 'closed'
    group by record_key

),

threshold as (

    select max(value) as general_isw_threshold_t
    from {{ ref('solidwaste_tolerances') }}
    where tolerance_code = 'general_isw_threshold_t'

)

select
    cast(generators.generator_key as {{ type_string() }}) as generator_key,
    cast(generators.enterprise_id as {{ type_string() }}) as enterprise_id,
    cast(generators.name as {{ type_string() }}) as generator_name,
    cast(generators.county_code as {{ type_string() }}) as county_code,
    cast(years.year as integer) as year,
    cast(generators.is_hw_generator as {{ type_boolean() }}) as is_hw_generator,
    cast(
        coalesce(generators.general_isw_t_per_year > threshold.general_isw_threshold_t, false)
        as {{ type_boolean() }}
    ) as is_large_isw_generator,
    cast(generators.general_isw_t_per_year as {{ type_double() }}) as general_isw_t_per_year,
    cast(
        coalesce(
            generators.has_compliant_storage
            and generators.storage_checked_on <= {{ date_from_parts('years.year', 12, 31) }},
            false
        ) as {{ type_boolean() }}
    ) as has_compliant_storage,
    cast(generators.storage_checked_on as date) as storage_checked_on
from generators
cross join years
cross join threshold
left join closures on generators.generator_key = closures.record_key
where
    generators.registered_on <= {{ date_from_parts('years.year', 12, 31) }}
    and (closures.closed_on is null or closures.closed_on > {{ date_from_parts('years.year', 12, 31) }})
    and (
        generators.is_hw_generator
        or coalesce(generators.general_isw_t_per_year > threshold.general_isw_threshold_t, false)
    )
