-- One row per enterprise found across the source systems (see int_enterprise_records_matched).
-- name and county come from the source system with the best name_priority in the
-- enterprise_source_systems seed (the permit platform holds the current registered name), the
-- industry from the census (GB/T 4754 class) else the permit's main industry.
-- Add an in_<source> flag when a source system is added to the union.

with

matched as (

    select * from {{ ref('int_enterprise_records_matched') }}

),

systems as (

    select
        source_system,
        name_priority
    from {{ ref('enterprise_source_systems') }}

),

ranked as (

    select
        matched.enterprise_id,
        matched.name,
        matched.county_code,
        row_number() over (
            partition by matched.enterprise_id
            order by
                systems.name_priority asc, matched.known_from desc, matched.source_file asc, matched.record_line asc
        ) as name_rank
    from matched
    left join systems on matched.source_system = systems.source_system

),

identities as (

    select
        enterprise_id,
        max(enterprise_credit_code) as credit_code,
        max(case when source_system = 'census' then 1 else 0 end) = 1 as in_census,
        max(case when source_system = 'permits' then 1 else 0 end) = 1 as in_permits,
        count(distinct source_system) as source_count,
        count(*) as record_count,
        min(confidence) as min_confidence,
        max(case when source_system = 'permits' then industry_code end) as permit_industry_code
    from matched
    group by enterprise_id

),

census as (

    select
        enterprise_id,
        industry_code
    from {{ ref('int_census_enterprises_deduplicated') }}

),

permits as (

    select * from {{ ref('int_permit_enterprises_deduplicated') }}

),

key_units as (

    select enterprise_id from {{ ref('int_key_pollutant_units_listed') }}

),

reviews as (

    select distinct enterprise_id from {{ ref('int_enterprise_match_issues_detected') }}

),

industries as (

    select
        industry_code,
        industry_name_zh
    from {{ ref('industries') }}

),

final as (

    select
        identities.enterprise_id,
        identities.credit_code,
        ranked.name,
        ranked.county_code,
        identities.in_census,
        identities.in_permits,
        identities.source_count,
        identities.record_count,
        identities.min_confidence,
        permits.permit_no,
        permits.management_category as permit_category,
        permits.issued_on as permit_issued_on,
        coalesce(census.industry_code, identities.permit_industry_code) as industry_code,
        case when permits.enterprise_id is not null then permits.is_valid end as permit_is_valid,
        key_units.enterprise_id is not null as is_key_unit,
        reviews.enterprise_id is not null as needs_review
    from identities
    inner join ranked
        on
            identities.enterprise_id = ranked.enterprise_id
            and ranked.name_rank = 1
    left join census on identities.enterprise_id = census.enterprise_id
    left join permits on identities.enterprise_id = permits.enterprise_id
    left join key_units on identities.enterprise_id = key_units.enterprise_id
    left join reviews on identities.enterprise_id = reviews.enterprise_id

),

heavy_metal as (

    select
        final.enterprise_id,
        min(hm.category_zh) as heavy_metal_category_zh
    from final
    inner join {{ ref('heavy_metal_industries') }} as hm
        on final.industry_code like {{ concat(['hm.industry_code_prefix', "'%'"]) }}
    group by final.enterprise_id

)

select
    cast(final.enterprise_id as {{ type_string() }}) as enterprise_id,
    cast(final.credit_code as {{ type_string() }}) as credit_code,
    cast(final.name as {{ type_string() }}) as name,
    cast(final.county_code as {{ type_string() }}) as county_code,
    cast(final.industry_code as {{ type_string() }}) as industry_code,
    cast(industries.industry_name_zh as {{ type_string() }}) as industry_name_zh,
    cast(final.in_census as {{ type_boolean() }}) as in_census,
    cast(final.in_permits as {{ type_boolean() }}) as in_permits,
    cast(final.source_count as integer) as source_count,
    cast(final.record_count as integer) as record_count,
    cast(final.min_confidence as {{ type_double() }}) as min_confidence,
    cast(final.permit_no as {{ type_string() }}) as permit_no,
    cast(final.permit_category as {{ type_string() }}) as permit_category,
    cast(final.permit_issued_on as date) as permit_issued_on,
    cast(final.permit_is_valid as {{ type_boolean() }}) as permit_is_valid,
    cast(final.is_key_unit as {{ type_boolean() }}) as is_key_unit,
    cast(heavy_metal.enterprise_id is not null as {{ type_boolean() }}) as is_heavy_metal_industry,
    cast(heavy_metal.heavy_metal_category_zh as {{ type_string() }}) as heavy_metal_category_zh,
    cast(final.needs_review as {{ type_boolean() }}) as needs_review
from final
left join industries on final.industry_code = industries.industry_code
left join heavy_metal on final.enterprise_id = heavy_metal.enterprise_id
