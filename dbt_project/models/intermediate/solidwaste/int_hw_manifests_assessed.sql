-- Each transfer manifest (latest version) with its reconciliation: the year it was issued (generator's
-- signature), when it was shipped (transporter's signature, else the generator's), whether it was
-- received, the relative weight difference and whether it is within the weight tolerance, and whether
-- it was never received within the limit (seed solidwaste_tolerances) by the data's as-of time (the
-- latest fetch of the manifests). Cancelled manifests are kept, flagged, and counted nowhere.

with

manifests as (

    select * from {{ ref('stg_solidwaste__manifests') }}

),

generators as (

    select
        record_key,
        county_code
    from {{ ref('stg_solidwaste__generators') }}

),

tolerances as (

    select
        max(case when tolerance_code = 'weight_tolerance' then value end) as weight_tolerance,
        max(case when tolerance_code = 'never_received_days' then value end) as never_received_days
    from {{ ref('solidwaste_tolerances') }}

),

fetched as (

    select max(fetched_at) as as_of from {{ ref('stg_solidwaste__manifests_history') }}

),

prepared as (

    select
        manifests.record_key as manifest_no,
        manifests.generator_key,
        manifests.transporter_name,
        manifests.receiver_key,
        manifests.hw_code,
        manifests.hw_category,
        manifests.shipped_t,
        manifests.received_t,
        manifests.generator_signed_at,
        manifests.transporter_signed_at,
        manifests.receiver_signed_at,
        manifests.status,
        manifests.version_count,
        manifests.load_id,
        manifests.page_file,
        cast(extract(year from manifests.generator_signed_at) as integer) as year,
        coalesce(manifests.county_code, generators.county_code) as county_code,
        coalesce(manifests.transporter_signed_at, manifests.generator_signed_at) as shipped_at,
        manifests.status = 'cancelled' as is_cancelled,
        manifests.receiver_signed_at is not null and manifests.received_t is not null as is_received,
        case
            when manifests.received_t is not null and manifests.shipped_t > 0
                then abs(manifests.received_t - manifests.shipped_t) / manifests.shipped_t
        end as weight_difference_ratio
    from manifests
    left join generators on manifests.generator_key = generators.record_key

)

select
    prepared.*,
    tolerances.weight_tolerance,
    tolerances.never_received_days,
    fetched.as_of,
    case
        when prepared.is_received then {{ hours_between('prepared.shipped_at', 'prepared.receiver_signed_at') }} / 24.0
    end as days_to_receipt,
    coalesce(
        not prepared.is_cancelled
        and prepared.is_received
        and prepared.weight_difference_ratio <= tolerances.weight_tolerance,
        false
    ) as is_closed_within_tolerance,
    coalesce(
        not prepared.is_cancelled
        and prepared.is_received
        and prepared.weight_difference_ratio > tolerances.weight_tolerance,
        false
    ) as is_weight_mismatch,
    coalesce(
        not prepared.is_cancelled
        and (
            (
                not prepared.is_received
                and {{ hours_between('prepared.shipped_at', 'fetched.as_of') }} > 24.0 * tolerances.never_received_days
            )
            or (
                prepared.is_received
                and {{ hours_between('prepared.shipped_at', 'prepared.receiver_signed_at') }}
                > 24.0 * tolerances.never_received_days
            )
        ),
        false
    ) as is_never_received
from prepared
cross join tolerances
cross join fetched
