-- Each expected submission with what arrived for it (as known on the as_of date): received_at is the
-- first accepted upload (a rejected file is not a submission), on_time when it came before the end of
-- the deadline day; status on_time | late | rejected (only rejected files for it) | missing.
-- rejection_reason is the rule of the latest rejected file of a submission still rejected.

with

expected as (

    select * from {{ ref('int_county_submissions_expected') }}

),

versions as (

    select
        county_code,
        form_code,
        period_start,
        min(received_at) as received_at,
        max(received_at) as latest_received_at,
        count(*) as version_count
    from {{ ref('int_county_submission_versions_ranked') }}
    group by county_code, form_code, period_start

),

rejected_files as (

    select
        county_code,
        form_code,
        period_start,
        rule,
        reason_zh,
        received_at,
        count(*) over (partition by county_code, form_code, period_start) as rejected_count,
        row_number() over (
            partition by county_code, form_code, period_start order by received_at desc, source_file desc
        ) as recency
    from {{ ref('stg_counties__files') }}
    where
        outcome = 'rejected'
        and county_code is not null
        and form_code is not null
        and period_start is not null

),

rejected as (

    select
        county_code,
        form_code,
        period_start,
        rule,
        reason_zh,
        received_at as last_rejected_at,
        rejected_count
    from rejected_files
    where recency = 1

)

select
    expected.county_code,
    expected.form_code,
    expected.period_type,
    expected.period_start,
    expected.period_end,
    expected.deadline,
    versions.received_at,
    versions.latest_received_at,
    rejected.last_rejected_at,
    expected.reporting_cutoff,
    coalesce(versions.received_at < expected.due_before, false) as on_time,
    case
        when versions.received_at < expected.due_before then 'on_time'
        when versions.received_at is not null then 'late'
        when rejected.rule is not null then 'rejected'
        else 'missing'
    end as status,
    case when versions.received_at is null then rejected.rule end as rejection_reason,
    case when versions.received_at is null then rejected.reason_zh end as rejection_reason_zh,
    versions.received_at is not null as is_received,
    coalesce(versions.version_count, 0) as version_count,
    coalesce(rejected.rejected_count, 0) as rejected_count
from expected
left join versions
    on
        expected.county_code = versions.county_code
        and expected.form_code = versions.form_code
        and expected.period_start = versions.period_start
left join rejected
    on
        expected.county_code = rejected.county_code
        and expected.form_code = rejected.form_code
        and expected.period_start = rejected.period_start
