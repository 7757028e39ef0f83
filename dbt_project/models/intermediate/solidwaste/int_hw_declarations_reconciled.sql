-- Each annual HW declaration (latest version, per generator, year and HW code) against what the other
-- platform records say the generator produced: manifested (shipped tonnes of its non-cancelled
-- manifests of that HW code issued in the year) + the change of its storage (stored_end - stored_start)
-- + what it utilised and disposed of itself. A declaration whose generated tonnes differ from that by
-- more than the declaration tolerance (seed solidwaste_tolerances) is a mismatch.

with

declarations as (

    select * from {{ ref('stg_solidwaste__declarations') }}

),

generators as (

    select
        generator_key,
        enterprise_id,
        county_code
    from {{ ref('int_hw_generators_linked') }}

),

manifested as (

    select
        generator_key,
        year,
        hw_code,
        count(*) as manifest_count,
        sum(shipped_t) as manifested_t,
        sum(received_t) as received_t
    from {{ ref('int_hw_manifests_assessed') }}
    where not is_cancelled
    group by generator_key, year, hw_code

),

tolerances as (

    select max(value) as declaration_tolerance
    from {{ ref('solidwaste_tolerances') }}
    where tolerance_code = 'declaration_tolerance'

),

joined as (

    select
        declarations.record_key as declaration_key,
        declarations.generator_key,
        generators.enterprise_id,
        generators.county_code,
        declarations.year,
        declarations.hw_code,
        declarations.hw_category,
        declarations.generated_t,
        declarations.self_utilised_t,
        declarations.self_disposed_t,
        declarations.transferred_t,
        declarations.stored_start_t,
        declarations.stored_end_t,
        declarations.declared_at,
        declarations.is_correction,
        declarations.version_count,
        manifested.received_t,
        tolerances.declaration_tolerance,
        declarations.load_id,
        declarations.page_file,
        coalesce(manifested.manifest_count, 0) as manifest_count,
        coalesce(manifested.manifested_t, 0) as manifested_t,
        coalesce(manifested.manifested_t, 0)
        + coalesce(declarations.stored_end_t, 0) - coalesce(declarations.stored_start_t, 0)
        + coalesce(declarations.self_utilised_t, 0) + coalesce(declarations.self_disposed_t, 0) as reconstructed_t
    from declarations
    cross join tolerances
    left join generators on declarations.generator_key = generators.generator_key
    left join manifested
        on
            declarations.generator_key = manifested.generator_key
            and declarations.year = manifested.year
            and declarations.hw_code = manifested.hw_code

)

select
    joined.*,
    case
        when joined.reconstructed_t > 0
            then abs(coalesce(joined.generated_t, 0) - joined.reconstructed_t) / joined.reconstructed_t
    end as difference_ratio,
    case
        when joined.reconstructed_t > 0
            then
                abs(coalesce(joined.generated_t, 0) - joined.reconstructed_t) / joined.reconstructed_t
                > joined.declaration_tolerance
        else coalesce(joined.generated_t, 0) > 0
    end as is_mismatch
from joined
