-- One row per enterprise the permit list knows: its current permit or registration (a valid one
-- before a revoked one, then the latest issued), and whether any of its records is a revoked
-- (注销) one — the permit platform's sign that the unit closed.

with

permits as (

    select
        enterprise_id,
        source_record_id,
        permit_no,
        management_category,
        known_from as issued_on,
        known_until as revoked_on,
        load_id,
        row_number() over (
            partition by enterprise_id
            order by case when known_until is null then 0 else 1 end asc, known_from desc, source_record_id asc
        ) as permit_rank,
        count(*) over (partition by enterprise_id) as permit_record_count
    from {{ ref('int_enterprise_records_matched') }}
    where source_system = 'permits'

)

select
    enterprise_id,
    source_record_id,
    permit_no,
    management_category,
    issued_on,
    revoked_on,
    permit_record_count,
    load_id,
    revoked_on is null as is_valid
from permits
where permit_rank = 1
