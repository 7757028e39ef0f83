-- Every accepted county file version per (county, form, period), as known on the as_of date, ranked:
-- version_no 1 is the first accepted upload, is_latest marks the one that supersedes the others
-- (latest upload; the path breaks a tie).

with

accepted as (

    select
        source_file,
        load_id,
        county_code,
        form_code,
        period_start,
        received_at,
        template_version,
        file_format,
        file_encoding
    from {{ ref('stg_counties__files') }}
    where outcome = 'accepted'

)

select
    *,
    row_number() over (
        partition by county_code, form_code, period_start order by received_at, source_file
    ) as version_no,
    count(*) over (partition by county_code, form_code, period_start) as version_count,
    row_number() over (
        partition by county_code, form_code, period_start order by received_at desc, source_file desc
    ) = 1 as is_latest
from accepted
