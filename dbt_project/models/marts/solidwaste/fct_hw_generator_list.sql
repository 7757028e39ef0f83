-- The list of HW-generating units (plan §8.1), built from the solid-waste platform, the pollution census
-- and the online-monitoring device registry together (int_hw_generators_known): one row per enterprise,
-- with a flag per source that knows it, and is_unregistered for the units known elsewhere but not
-- registered on the platform as HW generators (on_platform_for_general_waste_only: the unit is on the
-- platform, registered for general industrial solid waste only). Name and county from dim_enterprise.

with

known as (

    select * from {{ ref('int_hw_generators_known') }}

),

enterprises as (

    select
        enterprise_id,
        credit_code,
        name,
        county_code,
        industry_code,
        industry_name_zh
    from {{ ref('dim_enterprise') }}

)

select
    cast(known.enterprise_id as {{ type_string() }}) as enterprise_id,
    cast(enterprises.credit_code as {{ type_string() }}) as credit_code,
    cast(enterprises.name as {{ type_string() }}) as name,
    cast(enterprises.county_code as {{ type_string() }}) as county_code,
    cast(enterprises.industry_code as {{ type_string() }}) as industry_code,
    cast(enterprises.industry_name_zh as {{ type_string() }}) as industry_name_zh,
    cast(known.in_platform as {{ type_boolean() }}) as in_platform,
    cast(known.in_census as {{ type_boolean() }}) as in_census,
    cast(known.in_online_monitoring as {{ type_boolean() }}) as in_online_monitoring,
    cast(
        case when known.in_platform then 1 else 0 end
        + case when known.in_census then 1 else 0 end
        + case when known.in_online_monitoring then 1 else 0 end
        as integer
    ) as source_count,
    cast(known.generator_key as {{ type_string() }}) as generator_key,
    cast(known.registered_on as date) as registered_on,
    cast(known.census_hazardous_waste_t as {{ type_double() }}) as census_hazardous_waste_t,
    cast(known.online_monitoring_outlet as {{ type_string() }}) as online_monitoring_outlet,
    cast(known.known_elsewhere_from as date) as known_elsewhere_from,
    cast(not known.in_platform as {{ type_boolean() }}) as is_unregistered,
    cast(known.on_platform_for_general_waste_only as {{ type_boolean() }}) as on_platform_for_general_waste_only
from known
left join enterprises on known.enterprise_id = enterprises.enterprise_id
