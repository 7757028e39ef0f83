-- The key pollutant-discharging units (重点排污单位名录) as the warehouse derives them: an enterprise is
-- on the list when
--   (a) its current permit is valid and under 重点管理 (the permit platform's key management), or
--   (b) its census 2017 emissions meet a key-unit criterion (seed key_unit_criteria),
-- unless the permit platform shows it closed (its current permit revoked, 注销).

with

permits as (

    select * from {{ ref('int_permit_enterprises_deduplicated') }}

),

screened as (

    select * from {{ ref('int_census_enterprises_screened') }}

),

candidates as (

    select enterprise_id from permits
    where is_valid and management_category = '重点管理'

    union

    select enterprise_id from screened
    where meets_key_unit_criteria

)

select
    candidates.enterprise_id,
    screened.criteria_met,
    screened.criteria_met_zh,
    permits.permit_no,
    permits.management_category as permit_category,
    permits.issued_on as permit_issued_on,
    coalesce(permits.is_valid and permits.management_category = '重点管理', false) as listed_by_permit,
    coalesce(screened.meets_key_unit_criteria, false) as meets_census_criteria
from candidates
left join permits on candidates.enterprise_id = permits.enterprise_id
left join screened on candidates.enterprise_id = screened.enterprise_id
where permits.revoked_on is null
