-- Nothing is dropped between the lake and the links: every census record (industrial sources and
-- facilities of the latest delivery) and every permit of the latest export has exactly one link.
with

expected as (

    select
        'census' as source_system,
        source_record_id
    from {{ ref('stg_census__industrial_sources') }}
    where delivery = (select max(i.delivery) from {{ ref('stg_census__industrial_sources') }} as i)

    union all

    select
        'census' as source_system,
        source_record_id
    from {{ ref('stg_census__centralized_facilities') }}
    where delivery = (select max(c.delivery) from {{ ref('stg_census__centralized_facilities') }} as c)

    union all

    select
        'permits' as source_system,
        source_record_id
    from {{ ref('stg_permits__permits') }}
    where export_date = (select max(p.export_date) from {{ ref('stg_permits__permits') }} as p)

),

linked as (

    select
        source_system,
        source_record_id,
        count(*) as links
    from {{ ref('enterprise_source_links') }}
    group by source_system, source_record_id

)

select
    expected.source_system,
    expected.source_record_id,
    coalesce(linked.links, 0) as links
from expected
left join linked
    on
        expected.source_system = linked.source_system
        and expected.source_record_id = linked.source_record_id
where coalesce(linked.links, 0) != 1
