-- The 14th FYP (2021-2025) targets of every registry indicator of plan 14th_fyp, in the plan-neutral shape
-- fct_indicator_progress reads: baseline year, checkpoint year and value, target year and value. The years
-- come from the plans seed; the values from the registry (target_2025, checkpoint_2023). A registry
-- checkpoint is used as given; without one the checkpoint is interpolated on the straight line from the
-- baseline to the target in fct_indicator_progress (checkpoint_source 'interpolated').
-- The 15th FYP is one more model like this one over its own targets seed.

with

plans as (

    select
        plan_code,
        baseline_year,
        checkpoint_year,
        end_year
    from {{ ref('plans') }}
    where plan_code = '14th_fyp'

),

registry as (

    select
        plan_code,
        code as indicator_code,
        baseline_year,
        checkpoint_2023,
        target_2025
    from {{ ref('indicator_registry') }}
    where plan_code = '14th_fyp'

)

select
    cast(registry.plan_code as {{ type_string() }}) as plan_code,
    cast(registry.indicator_code as {{ type_string() }}) as indicator_code,
    cast(coalesce(registry.baseline_year, plans.baseline_year) as integer) as baseline_year,
    cast(plans.checkpoint_year as integer) as checkpoint_year,
    cast(registry.checkpoint_2023 as {{ type_double() }}) as checkpoint_value,
    cast(plans.end_year as integer) as target_year,
    cast(registry.target_2025 as {{ type_double() }}) as target_value
from registry
inner join plans on registry.plan_code = plans.plan_code
