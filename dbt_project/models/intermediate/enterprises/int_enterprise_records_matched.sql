-- Which enterprise each source record belongs to, and how we know (DOMAIN.md §2: credit code, then
-- permit number, then name + county). Rules, in order:
--   1. credit_code  (confidence 1.00): the record's own valid GB 32100-2015 code is the enterprise's key;
--   2. permit_no    (0.95): no valid code of its own, but its permit number embeds a valid code, or
--                   the records sharing its permit number carry exactly one code;
--   3. name_county  (0.80): neither, but the keyed records with the same normalised name in the same
--                   county carry exactly one code;
--      name_county  (0.70): no keyed record has that name + county, but other records without a code
--                   do: they form one enterprise of their own;
--   4. unmatched    (0.50): nothing else names it: an enterprise of its own;
--      ambiguous    (0.00): its permit number or its name + county point at several codes: an
--                   enterprise of its own until a person decides (enterprise_match_review).
-- A record with a valid code is never moved by rules 2-3: a conflict (one name + county with several
-- codes, one permit number with several codes) goes to the review list instead.

with

records as (

    select * from {{ ref('int_enterprise_records_unioned') }}

),

-- codes claimed for each permit number, by the records that carry it
permit_claims as (

    select
        permit_no,
        credit_code as claimed_code
    from records
    where permit_no is not null and credit_code is not null

    union all

    select
        permit_no,
        permit_credit_code as claimed_code
    from records
    where permit_no is not null and permit_credit_code is not null

),

permit_codes as (

    select
        permit_no,
        count(distinct claimed_code) as code_count,
        min(claimed_code) as claimed_code
    from permit_claims
    group by permit_no

),

coded as (

    select
        records.*,
        coalesce(permit_codes.code_count, 0) as permit_code_count,
        case
            when records.credit_code is not null then records.credit_code
            when records.permit_credit_code is not null then records.permit_credit_code
            when permit_codes.code_count = 1 then permit_codes.claimed_code
        end as code_key,
        case
            when records.credit_code is not null then 'credit_code'
            when records.permit_credit_code is not null then 'permit_no'
            when permit_codes.code_count = 1 then 'permit_no'
            when permit_codes.code_count > 1 then 'ambiguous'
        end as code_method
    from records
    left join permit_codes on records.permit_no = permit_codes.permit_no

),

-- codes found under each normalised name + county
name_codes as (

    select
        name_normalised,
        county_code,
        count(distinct code_key) as code_count,
        min(code_key) as code_key
    from coded
    where code_key is not null
    group by name_normalised, county_code

),

-- records with no code at all (and no conflicting permit), grouped by name + county
uncoded_names as (

    select
        coded.name_normalised,
        coded.county_code,
        count(*) as record_count
    from coded
    left join name_codes
        on
            coded.name_normalised = name_codes.name_normalised
            and coded.county_code = name_codes.county_code
    where coded.code_method is null and name_codes.code_count is null
    group by coded.name_normalised, coded.county_code

),

matched as (

    select
        coded.*,
        coalesce(name_codes.code_count, 0) as name_code_count,
        case
            when coded.code_method in ('credit_code', 'permit_no') then coded.code_method
            when coded.code_method = 'ambiguous' then 'ambiguous'
            when name_codes.code_count = 1 then 'name_county'
            when name_codes.code_count > 1 then 'ambiguous'
            when uncoded_names.record_count > 1 then 'name_county'
            else 'unmatched'
        end as match_method,
        case
            when coded.code_method in ('credit_code', 'permit_no') then {{ concat(["'C|'", 'coded.code_key']) }}
            when coded.code_method = 'ambiguous' or name_codes.code_count > 1
                then {{ concat(["'R|'", 'coded.source_system', "'|'", 'coded.source_record_id']) }}
            when name_codes.code_count = 1 then {{ concat(["'C|'", 'name_codes.code_key']) }}
            else {{ concat(["'N|'", 'coded.county_code', "'|'", 'coded.name_normalised']) }}
        end as enterprise_key,
        case
            when coded.code_method = 'credit_code' then 1.0
            when coded.code_method = 'permit_no' then 0.95
            when coded.code_method = 'ambiguous' or name_codes.code_count > 1 then 0.0
            when name_codes.code_count = 1 then 0.8
            when uncoded_names.record_count > 1 then 0.7
            else 0.5
        end as confidence
    from coded
    left join name_codes
        on
            coded.name_normalised = name_codes.name_normalised
            and coded.county_code = name_codes.county_code
    left join uncoded_names
        on
            coded.name_normalised = uncoded_names.name_normalised
            and coded.county_code = uncoded_names.county_code
            and coded.code_method is null

)

select
    {{ enterprise_id('enterprise_key') }} as enterprise_id,
    enterprise_key,
    case when enterprise_key like 'C|%' then substr(enterprise_key, 3) end as enterprise_credit_code,
    source_system,
    source_record_id,
    record_kind,
    match_method,
    cast(confidence as {{ type_double() }}) as confidence,
    permit_code_count,
    name_code_count,
    credit_code,
    credit_code_raw,
    permit_no,
    permit_credit_code,
    name,
    name_normalised,
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
from matched
