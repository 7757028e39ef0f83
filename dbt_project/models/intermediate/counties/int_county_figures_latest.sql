-- The figures of the latest accepted version of each (county, form, period) as known on the as_of date:
-- a resubmission supersedes the earlier file; the earlier versions stay in stg_counties__figures.

with

latest as (

    select source_file
    from {{ ref('int_county_submission_versions_ranked') }}
    where is_latest

)

select
    figures.county_code,
    figures.form_code,
    figures.period_start,
    figures.figure_code,
    figures.figure_value,
    figures.unit,
    figures.received_at,
    figures.load_id,
    figures.source_file
from {{ ref('stg_counties__figures') }} as figures
inner join latest on figures.source_file = latest.source_file
