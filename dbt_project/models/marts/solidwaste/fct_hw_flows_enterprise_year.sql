-- HW flows per generator, year and HW category (plan ch. 8): declared generation, own utilisation and
-- disposal, declared transfers and storage (latest declaration versions); manifested transfers
-- (non-cancelled manifests issued in the year: shipped, and weighed on receipt); the inventory held at the
-- year's end (latest storage snapshot of the year). utilised_disposed_t = own utilisation + own disposal +
-- tonnes received by licensed receivers (the numerator of HW_UTILIZATION_DISPOSAL_RATE).

with

declared as (

    select
        generator_key,
        year,
        hw_category,
        sum(generated_t) as generated_t,
        sum(self_utilised_t) as self_utilised_t,
        sum(self_disposed_t) as self_disposed_t,
        sum(transferred_t) as declared_transferred_t,
        sum(stored_start_t) as stored_start_t,
        sum(stored_end_t) as stored_end_t,
        count(*) as declarations
    from {{ ref('stg_solidwaste__declarations') }}
    group by generator_key, year, hw_category

),

manifested as (

    select
        generator_key,
        year,
        hw_category,
        count(*) as manifests_issued,
        sum(case when is_received then 1 else 0 end) as manifests_received,
        sum(shipped_t) as shipped_t,
        sum(received_t) as received_t
    from {{ ref('int_hw_manifests_assessed') }}
    where not is_cancelled
    group by generator_key, year, hw_category

),

stored as (

    select
        generator_key,
        year,
        hw_category,
        sum(quantity_t) as inventory_year_end_t,
        sum(case when is_over_limit_at_year_end then quantity_t else 0 end) as stored_over_limit_t
    from {{ ref('int_hw_storage_year_end') }}
    group by generator_key, year, hw_category

),

keys as (

    select
        generator_key,
        year,
        hw_category
    from declared
    union
    select
        generator_key,
        year,
        hw_category
    from manifested
    union
    select
        generator_key,
        year,
        hw_category
    from stored

),

generators as (

    select
        generator_key,
        enterprise_id,
        name,
        county_code
    from {{ ref('int_hw_generators_linked') }}

),

categories as (

    select
        hw_category,
        name_zh
    from {{ ref('hw_categories') }}

)

select
    cast(keys.generator_key as {{ type_string() }}) as generator_key,
    cast(generators.enterprise_id as {{ type_string() }}) as enterprise_id,
    cast(generators.name as {{ type_string() }}) as generator_name,
    cast(generators.county_code as {{ type_string() }}) as county_code,
    cast(keys.year as integer) as year,
    cast(keys.hw_category as {{ type_string() }}) as hw_category,
    cast(categories.name_zh as {{ type_string() }}) as hw_category_zh,
    cast(declared.generated_t as {{ type_double() }}) as generated_t,
    cast(declared.self_utilised_t as {{ type_double() }}) as self_utilised_t,
    cast(declared.self_disposed_t as {{ type_double() }}) as self_disposed_t,
    cast(declared.declared_transferred_t as {{ type_double() }}) as declared_transferred_t,
    cast(declared.stored_start_t as {{ type_double() }}) as stored_start_t,
    cast(declared.stored_end_t as {{ type_double() }}) as stored_end_t,
    cast(coalesce(manifested.manifests_issued, 0) as integer) as manifests_issued,
    cast(coalesce(manifested.manifests_received, 0) as integer) as manifests_received,
    cast(manifested.shipped_t as {{ type_double() }}) as shipped_t,
    cast(manifested.received_t as {{ type_double() }}) as received_t,
    cast(
        coalesce(declared.self_utilised_t, 0) + coalesce(declared.self_disposed_t, 0)
        + coalesce(manifested.received_t, 0) as {{ type_double() }}
    ) as utilised_disposed_t,
    cast(stored.inventory_year_end_t as {{ type_double() }}) as inventory_year_end_t,
    cast(stored.stored_over_limit_t as {{ type_double() }}) as stored_over_limit_t,
    cast(declared.declarations is not null as {{ type_boolean() }}) as is_declared
from keys
left join declared
    on
        keys.generator_key = declared.generator_key
        and keys.year = declared.year
        and keys.hw_category = declared.hw_category
left join manifested
    on
        keys.generator_key = manifested.generator_key
        and keys.year = manifested.year
        and keys.hw_category = manifested.hw_category
left join stored
    on
        keys.generator_key = stored.generator_key
        and keys.year = stored.year
        and keys.hw_category = stored.hw_category
left join generators on keys.generator_key = generators.generator_key
left join categories on keys.hw_category = categories.hw_category
