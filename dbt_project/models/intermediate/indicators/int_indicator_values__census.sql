-- Indicator family "census": census enterprises seen by the other source systems.
--
-- ENTERPRISE_MATCH_RATE (%): census enterprises (industrial sources and centralised facilities, each
--   enterprise once, in its census county) linked to a record of another source system that the
--   system knew by the end of the year (a permit issued by 31 December) / census enterprises.
-- KEY_UNITS_LISTED_RATE (%): of the census enterprises meeting a key-unit criterion (seed
--   key_unit_criteria) and not closed before the year (current permit revoked before 1 January), the
--   share holding a valid 重点管理 permit at the end of the year / those enterprises.
-- The city is the sum over its counties (numerator and denominator). Both rest on the census (2017)
-- and the latest permit-list export: as_of is that export's day, so the current year reads "so far".
-- Without the census, without permit data, or with an empty denominator the value is NULL with the
-- reason (no_census_data, no_permit_data, no_census_enterprises, no_key_unit_candidates).

with

spine as (

    select
        indicator_code,
        area_code,
        period_type,
        period_start,
        year
    from {{ ref('int_indicator_periods_spined') }}
    where indicator_code in ('ENTERPRISE_MATCH_RATE', 'KEY_UNITS_LISTED_RATE')

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

census as (

    select
        enterprise_id,
        county_code,
        load_id
    from {{ ref('int_census_enterprises_deduplicated') }}

),

screened as (

    select
        enterprise_id,
        meets_key_unit_criteria
    from {{ ref('int_census_enterprises_screened') }}

),

other_records as (

    select
        enterprise_id,
        source_system,
        management_category,
        known_from,
        known_until,
        load_id
    from {{ ref('int_enterprise_records_matched') }}
    where source_system != 'census'

),

current_permits as (

    select
        enterprise_id,
        revoked_on
    from {{ ref('int_permit_enterprises_deduplicated') }}

),

exports as (

    select
        max(export_date) as export_date,
        count(*) as permit_rows
    from {{ ref('stg_permits__permits') }}

),

lineage as (

    select {{ string_agg_distinct_sorted('load_id', ',') }} as load_ids
    from (
        select load_id from census
        union all
        select load_id from other_records
    ) as loads

),

enterprise_years as (

    select
        census.enterprise_id,
        census.county_code,
        years.year,
        coalesce(screened.meets_key_unit_criteria, false) as meets_criteria,
        coalesce(current_permits.revoked_on < {{ date_from_parts('years.year', 1, 1) }}, false) as closed_before,
        max(
            case when other_records.known_from <= {{ date_from_parts('years.year', 12, 31) }} then 1 else 0 end
        ) as is_linked,
        max(
            case
                when
                    other_records.source_system = 'permits'
                    and other_records.management_category = '重点管理'
                    and other_records.known_from <= {{ date_from_parts('years.year', 12, 31) }}
                    and (
                        other_records.known_until is null
                        or other_records.known_until > {{ date_from_parts('years.year', 12, 31) }}
                    )
                    then 1
                else 0
            end
        ) as is_key_listed
    from census
    cross join years
    left join screened on census.enterprise_id = screened.enterprise_id
    left join current_permits on census.enterprise_id = current_permits.enterprise_id
    left join other_records on census.enterprise_id = other_records.enterprise_id
    group by
        census.enterprise_id,
        census.county_code,
        years.year,
        coalesce(screened.meets_key_unit_criteria, false),
        coalesce(current_permits.revoked_on < {{ date_from_parts('years.year', 1, 1) }}, false)

),

area_years as (

    select
        areas.area_code,
        enterprise_years.year,
        count(*) as census_enterprises,
        sum(enterprise_years.is_linked) as linked_enterprises,
        sum(
            case when enterprise_years.meets_criteria and not enterprise_years.closed_before then 1 else 0 end
        ) as key_candidates,
        sum(
            case
                when enterprise_years.meets_criteria and not enterprise_years.closed_before
                    then enterprise_years.is_key_listed
                else 0
            end
        ) as key_listed
    from enterprise_years
    inner join areas on enterprise_years.county_code = areas.county_code
    group by areas.area_code, enterprise_years.year

),

measured as (

    select
        spine.indicator_code,
        spine.area_code,
        spine.period_type,
        spine.period_start,
        exports.permit_rows,
        exports.export_date,
        case
            when spine.indicator_code = 'ENTERPRISE_MATCH_RATE' then area_years.linked_enterprises
            else area_years.key_listed
        end as numerator,
        case
            when spine.indicator_code = 'ENTERPRISE_MATCH_RATE' then area_years.census_enterprises
            else area_years.key_candidates
        end as denominator,
        (select count(*) from census) as census_rows
    from spine
    cross join exports
    left join area_years
        on
            spine.area_code = area_years.area_code
            and spine.year = area_years.year

),

final as (

    select
        measured.indicator_code,
        measured.area_code,
        measured.period_type,
        measured.period_start,
        case
            when measured.census_rows = 0 or measured.permit_rows = 0 or coalesce(measured.denominator, 0) = 0
                then null
            else {{ round_half_up('100.0 * measured.numerator / measured.denominator', 1) }}
        end as value,
        measured.numerator,
        measured.denominator,
        measured.export_date
    from measured

)

select
    final.indicator_code,
    final.area_code,
    final.period_type,
    final.period_start,
    final.value,
    case when final.value is not null then final.numerator end as numerator,
    case when final.value is not null then final.denominator end as denominator,
    case
        when final.value is null then null
        when final.indicator_code = 'KEY_UNITS_LISTED_RATE'
            then {{ method_version(['census_2017', 'enterprise_matching', 'key_unit_criteria']) }}
        else {{ method_version(['census_2017', 'enterprise_matching']) }}
    end as method_version,
    case when final.value is not null then cast(final.export_date as {{ type_timestamp() }}) end as as_of,
    case when final.value is not null then lineage.load_ids end as load_ids,
    case
        when final.value is not null then null
        when (select count(*) from census) = 0 then 'no_census_data'
        when (select exports.permit_rows from exports) = 0 then 'no_permit_data'
        when final.indicator_code = 'KEY_UNITS_LISTED_RATE' then 'no_key_unit_candidates'
        else 'no_census_enterprises'
    end as missing_reason_code
from final
cross join lineage
