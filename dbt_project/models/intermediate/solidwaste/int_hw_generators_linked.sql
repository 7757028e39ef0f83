-- The units registered on the platform (latest version), each with the enterprise the enterprise matching
-- assigned it (int_enterprise_records_matched, source system solidwaste_platform). Most are HW generators;
-- a unit registered for general industrial solid waste only has is_hw_generator false.

with

generators as (

    select * from {{ ref('stg_solidwaste__generators') }}

),

links as (

    select
        source_record_id,
        enterprise_id
    from {{ ref('int_enterprise_records_matched') }}
    where source_system = 'solidwaste_platform'

)

select
    generators.record_key as generator_key,
    links.enterprise_id,
    generators.uscc,
    generators.name,
    generators.county_code,
    generators.industry_code,
    generators.registered_on,
    generators.management_level,
    generators.has_compliant_storage,
    generators.storage_checked_on,
    generators.general_isw_t_per_year,
    generators.waste_types,
    generators.is_hw_generator,
    generators.status,
    generators.updated_at,
    generators.load_id
from generators
left join links on generators.record_key = links.source_record_id
