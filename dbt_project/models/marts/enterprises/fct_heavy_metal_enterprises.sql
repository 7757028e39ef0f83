-- Enterprises of the heavy-metal key industries named by the plan (chapter 8 section 2: 有色金属采选、
-- 冶炼、金属表面处理及热处理加工、化学原料及化学制品制造业; GB/T 4754 prefixes in the
-- heavy_metal_industries seed), with their census 2017 heavy-metal emissions and hazardous waste.

with

enterprises as (

    select * from {{ ref('dim_enterprise') }}
    where is_heavy_metal_industry

),

census as (

    select
        enterprise_id,
        heavy_metals_kg,
        hazardous_waste_t
    from {{ ref('int_census_enterprises_deduplicated') }}

)

select
    cast(enterprises.enterprise_id as {{ type_string() }}) as enterprise_id,
    cast(enterprises.credit_code as {{ type_string() }}) as credit_code,
    cast(enterprises.name as {{ type_string() }}) as name,
    cast(enterprises.county_code as {{ type_string() }}) as county_code,
    cast(enterprises.industry_code as {{ type_string() }}) as industry_code,
    cast(enterprises.industry_name_zh as {{ type_string() }}) as industry_name_zh,
    cast(enterprises.heavy_metal_category_zh as {{ type_string() }}) as heavy_metal_category_zh,
    cast(census.heavy_metals_kg as {{ type_double() }}) as heavy_metals_kg_2017,
    cast(census.hazardous_waste_t as {{ type_double() }}) as hazardous_waste_t_2017,
    cast(enterprises.in_census as {{ type_boolean() }}) as in_census,
    cast(enterprises.in_permits as {{ type_boolean() }}) as in_permits,
    cast(enterprises.permit_category as {{ type_string() }}) as permit_category,
    cast(enterprises.is_key_unit as {{ type_boolean() }}) as is_key_unit
from enterprises
left join census on enterprises.enterprise_id = census.enterprise_id
