{%- set s = type_string() -%}
-- HW reconciliation findings (plan ch. 8: 虚报、瞒报、谎报、漏报), one row per finding, with the county, the
-- generator/enterprise, the kind and its Chinese label (seed solidwaste_finding_kinds), an evidence text and
-- the numbers behind it (observed value, reference value, relative difference, tolerance from the seed
-- solidwaste_tolerances):
--   weight_mismatch          received weight vs shipped weight of a manifest beyond the weight tolerance;
--   manifest_never_received  not signed by the receiver within the limit (by the data's as-of time);
--   declaration_mismatch     declared generation vs manifested + storage change + own utilisation/disposal;
--   stored_over_one_year     an HW batch first seen in storage beyond the storage limit;
--   receiver_over_capacity   a receiver's received tonnes of a year above its licensed capacity;
--   unregistered_generator   an HW generator known to the census or the online-monitoring registry only.

with

manifests as (

    select * from {{ ref('int_hw_manifests_assessed') }}

),

generators as (

    select
        generator_key,
        enterprise_id,
        name
    from {{ ref('int_hw_generators_linked') }}

),

tolerances as (

    select
        max(case when tolerance_code = 'weight_tolerance' then value end) as weight_tolerance,
        max(case when tolerance_code = 'declaration_tolerance' then value end) as declaration_tolerance,
        max(case when tolerance_code = 'never_received_days' then value end) as never_received_days,
        max(case when tolerance_code = 'storage_limit_days' then value end) as storage_limit_days
    from {{ ref('solidwaste_tolerances') }}

),

weight_mismatch as (

    select
        'weight_mismatch' as kind,
        manifest_no as record_key,
        generator_key,
        cast(null as {{ s }}) as enterprise_id,
        cast(null as {{ s }}) as enterprise_name,
        county_code,
        year,
        cast(received_t as {{ type_double() }}) as observed_value,
        cast(shipped_t as {{ type_double() }}) as reference_value,
        cast(weight_difference_ratio as {{ type_double() }}) as difference_ratio,
        cast(weight_tolerance as {{ type_double() }}) as tolerance,
        {{ concat([
            "'联单 '", 'manifest_no',
            "'：转移量 '", 'cast(round(shipped_t, 3) as ' ~ s ~ ')',
            "' t，接收量 '", 'cast(round(received_t, 3) as ' ~ s ~ ')',
            "' t，相差 '", 'cast(round(100 * weight_difference_ratio, 1) as ' ~ s ~ ')',
            "'%（容差 '", 'cast(round(100 * weight_tolerance, 1) as ' ~ s ~ ')', "'%）'"
        ]) }} as evidence,
        load_id,
        page_file
    from manifests
    where is_weight_mismatch

),

never_received as (

    select
        'manifest_never_received' as kind,
        manifest_no as record_key,
        generator_key,
        cast(null as {{ s }}) as enterprise_id,
        cast(null as {{ s }}) as enterprise_name,
        county_code,
        year,
        cast(
            case
                when is_received then days_to_receipt
                else {{ hours_between('shipped_at', 'as_of') }} / 24.0
            end as {{ type_double() }}
        ) as observed_value,
        cast(never_received_days as {{ type_double() }}) as reference_value,
        cast(null as {{ type_double() }}) as difference_ratio,
        cast(never_received_days as {{ type_double() }}) as tolerance,
        {{ concat([
            "'联单 '", 'manifest_no',
            "'：'", 'cast(cast(shipped_at as date) as ' ~ s ~ ')',
            "' 转移 '", 'cast(round(shipped_t, 3) as ' ~ s ~ ')',
            "' t，'",
            "case when is_received then '第 ' || cast(cast(floor(days_to_receipt) as integer) as " ~ s
            ~ ") || ' 天才接收' else '截至 ' || cast(cast(as_of as date) as " ~ s ~ ") || ' 未接收' end",
            "'（时限 '", 'cast(cast(never_received_days as integer) as ' ~ s ~ ')', "' 天）'"
        ]) }} as evidence,
        load_id,
        page_file
    from manifests
    where is_never_received

),

declaration_mismatch as (

    select
        'declaration_mismatch' as kind,
        declaration_key as record_key,
        generator_key,
        cast(null as {{ s }}) as enterprise_id,
        cast(null as {{ s }}) as enterprise_name,
        county_code,
        year,
        cast(generated_t as {{ type_double() }}) as observed_value,
        cast(reconstructed_t as {{ type_double() }}) as reference_value,
        cast(difference_ratio as {{ type_double() }}) as difference_ratio,
        cast(declaration_tolerance as {{ type_double() }}) as tolerance,
        {{ concat([
            "'申报 '", 'declaration_key',
            "'：申报产生量 '", 'cast(round(coalesce(generated_t, 0), 3) as ' ~ s ~ ')',
            "' t；联单转移 '", 'cast(round(manifested_t, 3) as ' ~ s ~ ')',
            "' t + 贮存变化 '",
            'cast(round(coalesce(stored_end_t, 0) - coalesce(stored_start_t, 0), 3) as ' ~ s ~ ')',
            "' t + 自行利用处置 '",
            'cast(round(coalesce(self_utilised_t, 0) + coalesce(self_disposed_t, 0), 3) as ' ~ s ~ ')',
            "' t = '", 'cast(round(reconstructed_t, 3) as ' ~ s ~ ')',
            "' t（容差 '", 'cast(round(100 * declaration_tolerance, 1) as ' ~ s ~ ')', "'%）'"
        ]) }} as evidence,
        load_id,
        page_file
    from {{ ref('int_hw_declarations_reconciled') }}
    where is_mismatch

),

storage_over_limit as (

    select
        inventory.record_key,
        inventory.generator_key,
        inventory.hw_code,
        inventory.stored_since,
        inventory.as_of_date,
        inventory.quantity_t,
        inventory.load_id,
        inventory.page_file,
        {{ datediff('inventory.stored_since', 'inventory.as_of_date', 'day') }} as days_stored,
        row_number() over (
            partition by inventory.record_key order by inventory.as_of_date asc, inventory.updated_at desc
        ) as first_rank
    from {{ ref('stg_solidwaste__storage_history') }} as inventory
    cross join tolerances
    where
        inventory.quantity_t > 0
        and {{ datediff('inventory.stored_since', 'inventory.as_of_date', 'day') }} > tolerances.storage_limit_days

),

stored_over_one_year as (

    select
        'stored_over_one_year' as kind,
        storage_over_limit.record_key,
        storage_over_limit.generator_key,
        cast(null as {{ s }}) as enterprise_id,
        cast(null as {{ s }}) as enterprise_name,
        platform.county_code,
        cast(extract(year from storage_over_limit.as_of_date) as integer) as year,
        cast(storage_over_limit.days_stored as {{ type_double() }}) as observed_value,
        cast(tolerances.storage_limit_days as {{ type_double() }}) as reference_value,
        cast(null as {{ type_double() }}) as difference_ratio,
        cast(tolerances.storage_limit_days as {{ type_double() }}) as tolerance,
        {{ concat([
            "'贮存批次 '", 'storage_over_limit.record_key',
            "'（'", 'storage_over_limit.hw_code',
            "'）自 '", 'cast(storage_over_limit.stored_since as ' ~ s ~ ')',
            "' 起贮存，'", 'cast(storage_over_limit.as_of_date as ' ~ s ~ ')',
            "' 盘点仍有 '", 'cast(round(storage_over_limit.quantity_t, 3) as ' ~ s ~ ')',
            "' t，已贮存 '", 'cast(storage_over_limit.days_stored as ' ~ s ~ ')',
            "' 天（限 '", 'cast(cast(tolerances.storage_limit_days as integer) as ' ~ s ~ ')', "' 天）'"
        ]) }} as evidence,
        storage_over_limit.load_id,
        storage_over_limit.page_file
    from storage_over_limit
    cross join tolerances
    left join {{ ref('int_hw_generators_linked') }} as platform
        on storage_over_limit.generator_key = platform.generator_key
    where storage_over_limit.first_rank = 1

),

receiver_years as (

    select
        receiver_key,
        cast(extract(year from receiver_signed_at) as integer) as year,
        sum(received_t) as received_t,
        count(*) as manifests,
        max(load_id) as load_id,
        max(page_file) as page_file
    from manifests
    where is_received and not is_cancelled
    group by receiver_key, cast(extract(year from receiver_signed_at) as integer)

),

receiver_over_capacity as (

    select
        'receiver_over_capacity' as kind,
        receiver_years.receiver_key as record_key,
        cast(null as {{ s }}) as generator_key,
        cast(null as {{ s }}) as enterprise_id,
        receivers.name as enterprise_name,
        receivers.county_code,
        receiver_years.year,
        cast(receiver_years.received_t as {{ type_double() }}) as observed_value,
        cast(receivers.licensed_capacity_t_per_year as {{ type_double() }}) as reference_value,
        cast(
            (receiver_years.received_t - receivers.licensed_capacity_t_per_year)
            / receivers.licensed_capacity_t_per_year as {{ type_double() }}
        ) as difference_ratio,
        cast(0 as {{ type_double() }}) as tolerance,
        {{ concat([
            "'经营单位 '", 'coalesce(receivers.name, receiver_years.receiver_key)',
            "'（许可证 '", "coalesce(receivers.licence_no, '-')",
            "'）'", 'cast(receiver_years.year as ' ~ s ~ ')',
            "' 年接收 '", 'cast(round(receiver_years.received_t, 3) as ' ~ s ~ ')',
            "' t（'", 'cast(receiver_years.manifests as ' ~ s ~ ')',
            "' 张联单），许可能力 '", 'cast(round(receivers.licensed_capacity_t_per_year, 3) as ' ~ s ~ ')', "' t/年'"
        ]) }} as evidence,
        receiver_years.load_id,
        receiver_years.page_file
    from receiver_years
    inner join {{ ref('stg_solidwaste__receivers') }} as receivers
        on receiver_years.receiver_key = receivers.record_key
    where
        receivers.licensed_capacity_t_per_year > 0
        and receiver_years.received_t > receivers.licensed_capacity_t_per_year

),

unregistered_generator as (

    select
        'unregistered_generator' as kind,
        coalesce(generator_list.credit_code, generator_list.enterprise_id) as record_key,
        cast(null as {{ s }}) as generator_key,
        generator_list.enterprise_id,
        generator_list.name as enterprise_name,
        generator_list.county_code,
        cast(
            case
                when extract(year from generator_list.known_elsewhere_from) > {{ var('plan_baseline_year') }}
                    then extract(year from generator_list.known_elsewhere_from)
                else {{ var('plan_baseline_year') }}
            end as integer
        ) as year,
        cast(generator_list.census_hazardous_waste_t as {{ type_double() }}) as observed_value,
        cast(null as {{ type_double() }}) as reference_value,
        cast(null as {{ type_double() }}) as difference_ratio,
        cast(null as {{ type_double() }}) as tolerance,
        {{ concat([
            "coalesce(generator_list.name, generator_list.enterprise_id)",
            "case when generator_list.on_platform_for_general_waste_only "
            ~ "then '在固体废物管理平台仅登记为一般工业固体废物产生单位，未登记危险废物；' "
            ~ "else '未在固体废物管理平台登记；' end",
            "case when generator_list.in_census then '污染源普查危险废物产生量 ' || cast(round(generator_list.census_hazardous_waste_t, 3) as "
            ~ s ~ ") || ' t；' else '' end",
            "case when generator_list.in_online_monitoring then '在线监控废水排口 ' || generator_list.online_monitoring_outlet "
            ~ "|| '（分析仪废液 HW49 900-047-49）' else '' end"
        ]) }} as evidence,
        cast(null as {{ s }}) as load_id,
        cast(null as {{ s }}) as page_file
    from {{ ref('fct_hw_generator_list') }} as generator_list
    where generator_list.is_unregistered

),

unioned as (

    select * from weight_mismatch
    union all
    select * from never_received
    union all
    select * from declaration_mismatch
    union all
    select * from stored_over_one_year
    union all
    select * from receiver_over_capacity
    union all
    select * from unregistered_generator

)

select
    -- a receiver can be over its capacity in several years: its findings are per receiver and year
    cast(
        case
            when unioned.kind = 'receiver_over_capacity'
                then {{ concat(['unioned.kind', "':'", 'unioned.record_key', "':'",
                                'cast(unioned.year as ' ~ s ~ ')']) }}
            else {{ concat(['unioned.kind', "':'", 'unioned.record_key']) }}
        end as {{ s }}
    ) as finding_id,
    cast(unioned.kind as {{ s }}) as kind,
    cast(kinds.name_zh as {{ s }}) as kind_zh,
    cast(unioned.county_code as {{ s }}) as county_code,
    cast(unioned.year as integer) as year,
    cast(unioned.record_key as {{ s }}) as record_key,
    cast(unioned.generator_key as {{ s }}) as generator_key,
    cast(coalesce(generators.enterprise_id, unioned.enterprise_id) as {{ s }}) as enterprise_id,
    cast(coalesce(generators.name, unioned.enterprise_name) as {{ s }}) as unit_name,
    cast(unioned.evidence as {{ s }}) as evidence,
    cast(unioned.observed_value as {{ type_double() }}) as observed_value,
    cast(unioned.reference_value as {{ type_double() }}) as reference_value,
    cast(unioned.difference_ratio as {{ type_double() }}) as difference_ratio,
    cast(unioned.tolerance as {{ type_double() }}) as tolerance,
    cast(unioned.load_id as {{ s }}) as load_id,
    cast(unioned.page_file as {{ s }}) as page_file
from unioned
left join {{ ref('solidwaste_finding_kinds') }} as kinds on unioned.kind = kinds.kind
left join generators on unioned.generator_key = generators.generator_key
