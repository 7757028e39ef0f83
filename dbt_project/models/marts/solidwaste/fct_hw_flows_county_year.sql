-- HW flows per area (each county, and the city as the sum of its counties), year and HW category:
-- the sums of fct_hw_flows_enterprise_year over the generators of the area.

with

flows as (

    select * from {{ ref('fct_hw_flows_enterprise_year') }}

),

areas as (

    select
        area_code,
        county_code
    from {{ ref('int_area_counties_listed') }}

)

select
    cast(areas.area_code as {{ type_string() }}) as area_code,
    cast(flows.year as integer) as year,
    cast(flows.hw_category as {{ type_string() }}) as hw_category,
    cast(max(flows.hw_category_zh) as {{ type_string() }}) as hw_category_zh,
    cast(count(distinct flows.generator_key) as integer) as generators,
    cast(sum(flows.generated_t) as {{ type_double() }}) as generated_t,
    cast(sum(flows.self_utilised_t) as {{ type_double() }}) as self_utilised_t,
    cast(sum(flows.self_disposed_t) as {{ type_double() }}) as self_disposed_t,
    cast(sum(flows.declared_transferred_t) as {{ type_double() }}) as declared_transferred_t,
    cast(sum(flows.stored_start_t) as {{ type_double() }}) as stored_start_t,
    cast(sum(flows.stored_end_t) as {{ type_double() }}) as stored_end_t,
    cast(sum(flows.manifests_issued) as integer) as manifests_issued,
    cast(sum(flows.manifests_received) as integer) as manifests_received,
    cast(sum(flows.shipped_t) as {{ type_double() }}) as shipped_t,
    cast(sum(flows.received_t) as {{ type_double() }}) as received_t,
    cast(sum(flows.utilised_disposed_t) as {{ type_double() }}) as utilised_disposed_t,
    cast(sum(flows.inventory_year_end_t) as {{ type_double() }}) as inventory_year_end_t,
    cast(sum(flows.stored_over_limit_t) as {{ type_double() }}) as stored_over_limit_t
from flows
inner join areas on flows.county_code = areas.county_code
group by areas.area_code, flows.year, flows.hw_category
