-- The key pollutant-discharging units list (重点排污单位名录) as the warehouse derives it (rule in
-- int_key_pollutant_units_listed): one row per enterprise on the list, with the basis.

with

listed as (

    select * from {{ ref('int_key_pollutant_units_listed') }}

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
    cast(listed.enterprise_id as {{ type_string() }}) as enterprise_id,
    cast(enterprises.credit_code as {{ type_string() }}) as credit_code,
    cast(enterprises.name as {{ type_string() }}) as name,
    cast(enterprises.county_code as {{ type_string() }}) as county_code,
    cast(enterprises.industry_code as {{ type_string() }}) as industry_code,
    cast(enterprises.industry_name_zh as {{ type_string() }}) as industry_name_zh,
    cast(listed.listed_by_permit as {{ type_boolean() }}) as listed_by_permit,
    cast(listed.meets_census_criteria as {{ type_boolean() }}) as meets_census_criteria,
    cast(listed.criteria_met as {{ type_string() }}) as criteria_met,
    cast(listed.criteria_met_zh as {{ type_string() }}) as criteria_met_zh,
    cast(
        case
            when listed.listed_by_permit and listed.meets_census_criteria then 'both'
            when listed.listed_by_permit then 'permit'
            else 'census'
        end as {{ type_string() }}
    ) as list_basis,
    cast(
        case
            when listed.listed_by_permit and listed.meets_census_criteria then '排污许可重点管理且普查排放量达标'
            when listed.listed_by_permit then '排污许可重点管理'
            else '普查排放量达到筛选条件'
        end as {{ type_string() }}
    ) as list_basis_zh,
    cast(listed.permit_no as {{ type_string() }}) as permit_no,
    cast(listed.permit_category as {{ type_string() }}) as permit_category,
    cast(listed.permit_issued_on as date) as permit_issued_on,
    cast({{ method_version(['census_2017', 'enterprise_matching', 'key_unit_criteria']) }} as {{ type_string() }})
        as method_version
from listed
inner join enterprises on listed.enterprise_id = enterprises.enterprise_id
