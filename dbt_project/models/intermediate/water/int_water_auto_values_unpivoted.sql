-- Automatic-station values, one row per station, DataTime and parameter (HJ 212 codes w01001 pH,
-- w01009 DO, w01019 CODMn, w21003 NH3-N, w21011 TP, w21001 TN). A value is valid when its flag is N
-- (HJ 212-2017); the latest load wins when a station-time was loaded more than once.

with

ranked as (

    select
        *,
        row_number() over (partition by mn, data_time order by load_id desc) as load_rank
    from {{ ref('stg_monitoring__water_auto_values') }}

),

latest as (

    select * from ranked
    where load_rank = 1

),

unpivoted as (
    {% for parameter, column in [
        ('ph', 'ph'), ('do', 'dissolved_oxygen'), ('codmn', 'codmn'),
        ('nh3n', 'nh3n'), ('tp', 'tp'), ('tn', 'tn'),
    ] %}
    select
        section_code,
        mn,
        data_time,
        '{{ parameter }}' as parameter,
        {{ column }} as value,
        {{ column }}_flag as flag,
        load_id
    from latest
    {% if not loop.last %}union all{% endif %}
    {% endfor %}
)

select
    section_code,
    mn,
    data_time,
    parameter,
    value,
    flag,
    load_id,
    coalesce(flag = 'N' and value is not null, false) as is_valid
from unpivoted
where value is not null or flag is not null
