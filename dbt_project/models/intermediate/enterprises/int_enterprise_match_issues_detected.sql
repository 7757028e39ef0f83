-- What a person must look at after matching, one row per issue x source record:
--   name_county_codes_differ  records with the same normalised name in the same county carry several
--                             valid credit codes (the same enterprise re-registered, or two enterprises
--                             whose names differ only by the company form): kept apart;
--   permit_no_codes_differ    one permit number appears with several credit codes (a permit number
--                             copied onto the wrong record, or a recoded enterprise): kept apart;
--   ambiguous                 a record without a usable code whose permit number or name + county
--                             points at several enterprises: left on its own (confidence 0);
--   invalid_credit_code       a record whose credit code was malformed (kept with credit_code NULL):
--                             the code to correct at the source;
--   duplicate_census_record   the census lists the enterprise more than once: emissions counted once.

with

matched as (

    select * from {{ ref('int_enterprise_records_matched') }}

),

name_conflicts as (

    select
        name_normalised,
        county_code,
        {{ string_agg_distinct_sorted('enterprise_credit_code', ',') }} as codes
    from matched
    where match_method in ('credit_code', 'permit_no')
    group by name_normalised, county_code
    having count(distinct enterprise_credit_code) > 1

),

permit_conflicts as (

    select
        permit_no,
        {{ string_agg_distinct_sorted('coalesce(credit_code, permit_credit_code)', ',') }} as codes
    from matched
    where permit_no is not null
    group by permit_no
    having count(distinct coalesce(credit_code, permit_credit_code)) > 1

),

census_counts as (

    select
        enterprise_id,
        count(*) as census_records
    from matched
    where source_system = 'census'
    group by enterprise_id
    having count(*) > 1

),

issues as (

    select
        'name_county_codes_differ' as issue_code,
        matched.source_system,
        matched.source_record_id,
        {{ concat(["'same name and county, credit codes '", 'name_conflicts.codes']) }} as detail
    from matched
    inner join name_conflicts
        on
            matched.name_normalised = name_conflicts.name_normalised
            and matched.county_code = name_conflicts.county_code
    where matched.match_method in ('credit_code', 'permit_no')

    union all

    select
        'permit_no_codes_differ' as issue_code,
        matched.source_system,
        matched.source_record_id,
        {{ concat(["'permit '", 'matched.permit_no', "' appears with credit codes '", 'permit_conflicts.codes']) }}
            as detail
    from matched
    inner join permit_conflicts on matched.permit_no = permit_conflicts.permit_no

    union all

    select
        'ambiguous' as issue_code,
        source_system,
        source_record_id,
        case
            when permit_code_count > 1 then 'its permit number points at several credit codes'
            else 'its name and county point at several credit codes'
        end as detail
    from matched
    where match_method = 'ambiguous'

    union all

    select
        'invalid_credit_code' as issue_code,
        source_system,
        source_record_id,
        {{ concat(["'credit code as received: '", "coalesce(credit_code_raw, '(blank)')", "'; matched by '",
                       'match_method']) }} as detail
    from matched
    where dq_flags like '%invalid_credit_code%'

    union all

    select
        'duplicate_census_record' as issue_code,
        matched.source_system,
        matched.source_record_id,
        {{ concat(["'the census lists this enterprise '", safe_cast('census_counts.census_records',
                                                                            type_string()), "' times'"]) }}
            as detail
    from matched
    inner join census_counts on matched.enterprise_id = census_counts.enterprise_id
    where matched.source_system = 'census'

)

select
    issues.issue_code,
    issues.source_system,
    issues.source_record_id,
    matched.enterprise_id,
    matched.match_method,
    matched.confidence,
    matched.name,
    matched.county_code,
    matched.credit_code_raw,
    matched.permit_no,
    matched.source_file,
    matched.sheet_name,
    matched.record_line,
    issues.detail
from issues
inner join matched
    on
        issues.source_system = matched.source_system
        and issues.source_record_id = matched.source_record_id
