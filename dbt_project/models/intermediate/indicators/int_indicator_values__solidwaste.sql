{%- set year_end = date_from_parts('years.year', 12, 31) -%}
-- Indicator family "solid_waste_platform" (plan ch. 8), per county and the city (sum over its counties)
-- per year, from the provincial solid-waste platform (latest version of every record):
-- HW_UTILIZATION_DISPOSAL_RATE (%): (own utilisation + own disposal + tonnes received by licensed receivers
--   of the manifests issued in the year) / (declared generation + declared storage at the start of the year).
-- HW_GENERATOR_REGISTRATION_RATE (%): HW generators known to any source by 31 December (fct_hw_generator_list)
--   registered on the platform by then / all of them.
-- HW_MANIFEST_CLOSED_RATE (%): manifests issued in the year received within the weight tolerance / manifests
--   issued (cancelled ones excluded).
-- HW_STORED_OVER_ONE_YEAR (t): tonnes in the generators' last inventory of the year stored for more than the
--   storage limit by 31 December.
-- MEDICAL_WASTE_DISPOSAL_RATE (%): tonnes disposed of by the centres / tonnes generated (centres' county).
-- ISW_UTILIZATION_RATE (%): general industrial solid waste utilised / (generated + utilised from storage).
-- SW_STORAGE_COMPLIANCE_RATE (%): in-scope enterprises with compliant storage / in-scope enterprises
--   (fct_sw_storage_compliance).
-- Never zero-filled: without any platform data every value is NULL with no_solidwaste_data; an area-year
-- without the records an indicator needs gets that indicator's reason code. as_of = the latest fetch.

with

spine as (

    select
        indicator_code,
        area_code,
        period_type,
        period_start,
        year
    from {{ ref('int_indicator_periods_spined') }}
    where
        indicator_code in (
            'HW_UTILIZATION_DISPOSAL_RATE', 'HW_GENERATOR_REGISTRATION_RATE', 'HW_MANIFEST_CLOSED_RATE',
            'HW_STORED_OVER_ONE_YEAR', 'MEDICAL_WASTE_DISPOSAL_RATE', 'ISW_UTILIZATION_RATE',
            'SW_STORAGE_COMPLIANCE_RATE'
        )

),

years as (

    select distinct year from spine

),

areas as (

    select
        area_code,
        county_code
    from {{ ref('int_area_counties_listed') }}

),

platform_rows as (

    select
        sum(row_count) as row_count,
        max(as_of) as as_of
    from (
        select
            count(*) as row_count,
            max(fetched_at) as as_of
        from {{ ref('stg_solidwaste__generators_history') }}
        union all
        select
            count(*) as row_count,
            max(fetched_at) as as_of
        from {{ ref('stg_solidwaste__declarations_history') }}
        union all
        select
            count(*) as row_count,
            max(fetched_at) as as_of
        from {{ ref('stg_solidwaste__manifests_history') }}
        union all
        select
            count(*) as row_count,
            max(fetched_at) as as_of
        from {{ ref('stg_solidwaste__medical_waste_history') }}
        union all
        select
            count(*) as row_count,
            max(fetched_at) as as_of
        from {{ ref('stg_solidwaste__general_isw_history') }}
        union all
        select
            count(*) as row_count,
            max(fetched_at) as as_of
        from {{ ref('stg_solidwaste__storage_history') }}
    ) as tables_

),

lineage as (

    select {{ string_agg_distinct_sorted('load_id', ',') }} as load_ids
    from (
        select load_id from {{ ref('stg_solidwaste__generators') }}
        union all
        select load_id from {{ ref('stg_solidwaste__declarations') }}
        union all
        select load_id from {{ ref('stg_solidwaste__manifests') }}
        union all
        select load_id from {{ ref('stg_solidwaste__medical_waste') }}
        union all
        select load_id from {{ ref('stg_solidwaste__general_isw') }}
        union all
        select load_id from {{ ref('stg_solidwaste__storage') }}
    ) as loads

),

utilisation as (

    select
        areas.area_code,
        declared.year,
        sum(
            coalesce(declared.self_utilised_t, 0) + coalesce(declared.self_disposed_t, 0)
            + coalesce(declared.received_t, 0)
        ) as numerator,
        sum(coalesce(declared.generated_t, 0) + coalesce(declared.stored_start_t, 0)) as denominator
    from {{ ref('int_hw_declarations_reconciled') }} as declared
    inner join areas on declared.county_code = areas.county_code
    group by areas.area_code, declared.year

),

-- manifests issued under an HW code the generator did not declare still count as received tonnes
undeclared_received as (

    select
        areas.area_code,
        manifests.year,
        sum(manifests.received_t) as received_t
    from {{ ref('int_hw_manifests_assessed') }} as manifests
    inner join areas on manifests.county_code = areas.county_code
    left join {{ ref('stg_solidwaste__declarations') }} as declarations
        on
            manifests.generator_key = declarations.generator_key
            and manifests.year = declarations.year
            and manifests.hw_code = declarations.hw_code
    where not manifests.is_cancelled and declarations.record_key is null
    group by areas.area_code, manifests.year

),

registration as (

    select
        areas.area_code,
        years.year,
        sum(
            case
                when generator_list.in_platform and generator_list.registered_on <= {{ year_end }}
                    then 1
                else 0
            end
        ) as numerator,
        count(*) as denominator
    from {{ ref('fct_hw_generator_list') }} as generator_list
    cross join years
    inner join areas on generator_list.county_code = areas.county_code
    where
        coalesce(
            generator_list.registered_on <= {{ year_end }}
            or generator_list.known_elsewhere_from <= {{ year_end }},
            false
        )
    group by areas.area_code, years.year

),

manifests_closed as (

    select
        areas.area_code,
        manifests.year,
        sum(case when manifests.is_closed_within_tolerance then 1 else 0 end) as numerator,
        count(*) as denominator
    from {{ ref('int_hw_manifests_assessed') }} as manifests
    inner join areas on manifests.county_code = areas.county_code
    where not manifests.is_cancelled
    group by areas.area_code, manifests.year

),

stored_over as (

    select
        areas.area_code,
        inventory.year,
        sum(case when inventory.is_over_limit_at_year_end then inventory.quantity_t else 0 end) as numerator,
        count(*) as denominator
    from {{ ref('int_hw_storage_year_end') }} as inventory
    inner join areas on inventory.county_code = areas.county_code
    group by areas.area_code, inventory.year

),

medical as (

    select
        area_code,
        year,
        disposed_t as numerator,
        generated_t as denominator
    from {{ ref('fct_medical_waste_county_year') }}

),

isw as (

    select
        area_code,
        year,
        utilised_t as numerator,
        coalesce(generated_t, 0) + coalesce(utilised_from_storage_t, 0) as denominator
    from {{ ref('fct_isw_county_year') }}

),

storage_compliance as (

    select
        areas.area_code,
        compliance.year,
        sum(case when compliance.has_compliant_storage then 1 else 0 end) as numerator,
        count(*) as denominator
    from {{ ref('fct_sw_storage_compliance') }} as compliance
    inner join areas on compliance.county_code = areas.county_code
    group by areas.area_code, compliance.year

),

measures as (

    select
        'HW_UTILIZATION_DISPOSAL_RATE' as indicator_code,
        utilisation.area_code,
        utilisation.year,
        utilisation.numerator + coalesce(undeclared_received.received_t, 0) as numerator,
        utilisation.denominator
    from utilisation
    left join undeclared_received
        on
            utilisation.area_code = undeclared_received.area_code
            and utilisation.year = undeclared_received.year
    union all
    select
        'HW_GENERATOR_REGISTRATION_RATE' as indicator_code,
        area_code,
        year,
        numerator,
        denominator
    from registration
    union all
    select
        'HW_MANIFEST_CLOSED_RATE' as indicator_code,
        area_code,
        year,
        numerator,
        denominator
    from manifests_closed
    union all
    select
        'HW_STORED_OVER_ONE_YEAR' as indicator_code,
        area_code,
        year,
        numerator,
        denominator
    from stored_over
    union all
    select
        'MEDICAL_WASTE_DISPOSAL_RATE' as indicator_code,
        area_code,
        year,
        numerator,
        denominator
    from medical
    union all
    select
        'ISW_UTILIZATION_RATE' as indicator_code,
        area_code,
        year,
        numerator,
        denominator
    from isw
    union all
    select
        'SW_STORAGE_COMPLIANCE_RATE' as indicator_code,
        area_code,
        year,
        numerator,
        denominator
    from storage_compliance

),

final as (

    select
        spine.indicator_code,
        spine.area_code,
        spine.period_type,
        spine.period_start,
        measures.numerator,
        measures.denominator,
        case
            when platform_rows.row_count = 0 or coalesce(measures.denominator, 0) = 0 then null
            when spine.indicator_code = 'HW_STORED_OVER_ONE_YEAR'
                then {{ round_half_up('measures.numerator', 3) }}
            else {{ round_half_up('100.0 * measures.numerator / measures.denominator', 1) }}
        end as value,
        platform_rows.row_count,
        platform_rows.as_of
    from spine
    cross join platform_rows
    left join measures
        on
            spine.indicator_code = measures.indicator_code
            and spine.area_code = measures.area_code
            and spine.year = measures.year

)

select
    final.indicator_code,
    final.area_code,
    final.period_type,
    final.period_start,
    final.value,
    case when final.value is not null then final.numerator end as numerator,
    case
        when final.value is not null and final.indicator_code != 'HW_STORED_OVER_ONE_YEAR' then final.denominator
    end as denominator,
    case
        when final.value is null then null
        when final.indicator_code = 'HW_GENERATOR_REGISTRATION_RATE'
            then {{ method_version(['enterprise_matching', 'hw_generator_list']) }}
        else {{ method_version(['hw_reconciliation']) }}
    end as method_version,
    case when final.value is not null then final.as_of end as as_of,
    case when final.value is not null then lineage.load_ids end as load_ids,
    case
        when final.value is not null then null
        when final.row_count = 0 then 'no_solidwaste_data'
        when final.indicator_code = 'HW_UTILIZATION_DISPOSAL_RATE' then 'no_hw_declarations'
        when final.indicator_code = 'HW_GENERATOR_REGISTRATION_RATE' then 'no_hw_generators'
        when final.indicator_code = 'HW_MANIFEST_CLOSED_RATE' then 'no_hw_manifests'
        when final.indicator_code = 'HW_STORED_OVER_ONE_YEAR' then 'no_hw_storage_inventory'
        when final.indicator_code = 'MEDICAL_WASTE_DISPOSAL_RATE' then 'no_medical_waste_centre'
        when final.indicator_code = 'ISW_UTILIZATION_RATE' then 'no_general_isw_data'
        else 'no_storage_scope_enterprises'
    end as missing_reason_code
from final
cross join lineage
