-- One row per networked outlet and day, from the day it was networked (or the plan baseline) to
-- the last landed day: hourly values expected (24 x parameters), received and valid (flag N).
-- Days the outlet sent nothing are rows with zero received: an outage is part of the rate.

with

outlets as (

    select * from {{ ref('int_source_outlets_listed') }}
    where networked_on is not null

),

values_validated as (

    select * from {{ ref('int_source_hourly_values_validated') }}

),

as_of as (

    select max(data_date) as last_day from values_validated

),

spans as (

    select
        outlets.outlet_code,
        outlets.n_parameters,
        greatest(outlets.networked_on, {{ date_from_parts(var('plan_baseline_year'), 1, 1) }}) as first_day,
        as_of.last_day
    from outlets
    cross join as_of
    where as_of.last_day is not null

),

offsets as (

    select
        outlet_code,
        n_parameters,
        first_day,
        {{ explode_integer_range(0, datediff('first_day', 'last_day', 'day')) }} as day_offset
    from spans
    where first_day <= last_day

),

spine as (

    select
        outlet_code,
        n_parameters,
        cast({{ dateadd('day', 'day_offset', 'first_day') }} as date) as data_date
    from offsets

),

received as (

    select
        outlet_code,
        data_date,
        count(*) as received_values,
        sum(case when is_valid then 1 else 0 end) as valid_values,
        count(distinct data_time) as received_hours,
        count(distinct case when flag in ('M', 'C') and not is_flow then data_time end) as maintenance_hours
    from values_validated
    group by outlet_code, data_date

)

select
    spine.outlet_code,
    spine.data_date,
    24 as expected_hours,
    24 * spine.n_parameters as expected_values,
    coalesce(received.received_hours, 0) as received_hours,
    coalesce(received.received_values, 0) as received_values,
    coalesce(received.valid_values, 0) as valid_values,
    coalesce(received.maintenance_hours, 0) as maintenance_hours
from spine
left join received
    on
        spine.outlet_code = received.outlet_code
        and spine.data_date = received.data_date
