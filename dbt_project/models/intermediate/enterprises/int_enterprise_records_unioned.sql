-- Every source record that names an enterprise, from every source system that knows enterprises,
-- in one shape: (source_system, source_record_id, credit_code, permit_no, name, county_code, ...).
-- The census contributes its industrial sources and centralised treatment facilities (latest
-- delivery), the permit platform its latest list export. A new source (the online-monitoring device
-- registry, the solid-waste platform's generators) is one more CTE in the union with these columns
-- and a row of the enterprise_source_systems seed; matching and the marts pick it up unchanged.

with

census_deliveries as (

    select max(delivery) as delivery from {{ ref('stg_census__industrial_sources') }}

),

facility_deliveries as (

    select max(delivery) as delivery from {{ ref('stg_census__centralized_facilities') }}

),

industrial as (

    select
        'census' as source_system,
        sources.source_record_id,
        'industrial' as record_kind,
        sources.credit_code,
        sources.credit_code_raw,
        sources.permit_no,
        cast(null as {{ type_string() }}) as permit_credit_code,
        sources.name,
        sources.county_code,
        sources.industry_code,
        sources.industry_name,
        cast(null as {{ type_string() }}) as management_category,
        {{ date_from_parts(2017, 12, 31) }} as known_from,
        cast(null as date) as known_until,
        sources.dq_flags,
        sources.source_file,
        sources.sheet_name,
        sources.row_no as record_line,
        sources.load_id
    from {{ ref('stg_census__industrial_sources') }} as sources
    inner join census_deliveries on sources.delivery = census_deliveries.delivery

),

centralized as (

    select
        'census' as source_system,
        facilities.source_record_id,
        'centralized' as record_kind,
        facilities.credit_code,
        facilities.credit_code_raw,
        cast(null as {{ type_string() }}) as permit_no,
        cast(null as {{ type_string() }}) as permit_credit_code,
        facilities.name,
        facilities.county_code,
        -- the census files these facilities by type, not by industry class
        case
            when facilities.sheet_name like '%污水%' then '4620'
            when facilities.sheet_name like '%危险废物%' then '7724'
        end as industry_code,
        cast(null as {{ type_string() }}) as industry_name,
        cast(null as {{ type_string() }}) as management_category,
        {{ date_from_parts(2017, 12, 31) }} as known_from,
        cast(null as date) as known_until,
        facilities.dq_flags,
        facilities.source_file,
        facilities.sheet_name,
        facilities.row_no as record_line,
        facilities.load_id
    from {{ ref('stg_census__centralized_facilities') }} as facilities
    inner join facility_deliveries on facilities.delivery = facility_deliveries.delivery

),

latest_export as (

    select max(export_date) as export_date from {{ ref('stg_permits__permits') }}

),

permits as (

    select
        'permits' as source_system,
        permit_list.source_record_id,
        'permit' as record_kind,
        permit_list.credit_code,
        permit_list.credit_code_raw,
        permit_list.permit_no,
        permit_list.permit_credit_code,
        permit_list.name,
        permit_list.county_code,
        industries.industry_code,
        permit_list.industry_name,
        permit_list.management_category,
        permit_list.issued_on as known_from,
        permit_list.revoked_on as known_until,
        permit_list.dq_flags,
        permit_list.source_file,
        cast(null as {{ type_string() }}) as sheet_name,
        permit_list.line_no as record_line,
        permit_list.load_id
    from {{ ref('stg_permits__permits') }} as permit_list
    inner join latest_export on permit_list.export_date = latest_export.export_date
    -- the platform lists every industry a permit covers ("水泥制造，锅炉"; the loader's NFKC makes the
    -- comma ASCII): the first is the main one
    left join {{ ref('industries') }} as industries
        on
            permit_list.industry_name = industries.industry_name_zh
            or permit_list.industry_name like {{ concat(['industries.industry_name_zh', "',%'"]) }}
            or permit_list.industry_name like {{ concat(['industries.industry_name_zh', "'，%'"]) }}

),

-- the online-monitoring device registry: one record per enterprise as the registry names it (its
-- outlets carry the same code or, without one, the same name)
online_monitoring_ranked as (

    select
        devices.*,
        row_number() over (
            partition by coalesce(devices.credit_code, devices.enterprise_name), devices.county_code
            order by devices.outlet_code
        ) as outlet_rank
    from {{ ref('stg_sources__devices') }} as devices

),

online_monitoring as (

    select
        'online_monitoring' as source_system,
        outlet_code as source_record_id,
        'outlet' as record_kind,
        credit_code,
        credit_code_raw,
        cast(null as {{ type_string() }}) as permit_no,
        cast(null as {{ type_string() }}) as permit_credit_code,
        enterprise_name as name,
        county_code,
        industry_code,
        cast(null as {{ type_string() }}) as industry_name,
        cast(null as {{ type_string() }}) as management_category,
        coalesce(networked_on, required_from) as known_from,
        cast(null as date) as known_until,
        cast(null as {{ type_string() }}) as dq_flags,
        cast('landing/monitoring/registry/source_devices.csv' as {{ type_string() }}) as source_file,
        cast(null as {{ type_string() }}) as sheet_name,
        line_no as record_line,
        load_id
    from online_monitoring_ranked
    where outlet_rank = 1

),

-- the solid-waste platform's HW generator registry (latest version of each generator); the platform
-- registers a unit under its credit code, so an 18-character code is taken as the key
solidwaste_platform as (

    select
        'solidwaste_platform' as source_system,
        record_key as source_record_id,
        'hw_generator' as record_kind,
        case when length(uscc) = 18 then upper(uscc) end as credit_code,
        uscc as credit_code_raw,
        cast(null as {{ type_string() }}) as permit_no,
        cast(null as {{ type_string() }}) as permit_credit_code,
        name,
        county_code,
        industry_code,
        cast(null as {{ type_string() }}) as industry_name,
        cast(null as {{ type_string() }}) as management_category,
        registered_on as known_from,
        cast(null as date) as known_until,
        cast(null as {{ type_string() }}) as dq_flags,
        page_file as source_file,
        cast(null as {{ type_string() }}) as sheet_name,
        cast(null as {{ type_bigint() }}) as record_line,
        load_id
    from {{ ref('stg_solidwaste__generators') }}

),

unioned as (

    select * from industrial
    union all
    select * from centralized
    union all
    select * from permits
    union all
    select * from online_monitoring
    union all
    select * from solidwaste_platform

)

select
    source_system,
    source_record_id,
    record_kind,
    credit_code,
    credit_code_raw,
    permit_no,
    permit_credit_code,
    name,
    {{ normalise_enterprise_name('name') }} as name_normalised,
    county_code,
    industry_code,
    industry_name,
    management_category,
    known_from,
    known_until,
    dq_flags,
    source_file,
    sheet_name,
    record_line,
    load_id
from unioned
