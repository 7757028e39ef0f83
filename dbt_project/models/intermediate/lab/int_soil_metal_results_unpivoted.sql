-- One row per soil sample and assessed metal (farmland: the eight GB 15618-2018 metals; construction
-- land: the seven GB 36600-2018 heavy-metal items), with the sample's pH band. A metal that was not
-- measured (blank cell) has no row; a metal below the detection limit has value NULL and below_dl.
{%- set farmland = ['cd', 'hg', 'as', 'pb', 'cr', 'cu', 'ni', 'zn'] %}
{%- set construction = ['as', 'cd', 'cr6', 'cu', 'pb', 'hg', 'ni'] %}

with

samples as (

    select * from {{ ref('stg_lab__soil_results') }}

),

unpivoted as (
    {% for point_type, metals in [('farmland', farmland), ('construction', construction)] %}
    {% set outer_loop = loop %}
    {% for metal in metals %}
    select
        sample_id,
        point_code,
        county_code,
        point_type,
        land_use,
        sampled_on,
        ph,
        load_id,
        source_file,
        line_no,
        '{{ metal }}' as metal,
        {{ loop.index }} as metal_order,
        {{ metal }}_mg_kg as value_mg_kg,
        coalesce({{ metal }}_below_dl, false) as below_dl
    from samples
    where
        point_type = '{{ point_type }}'
        and ({{ metal }}_mg_kg is not null or {{ metal }}_below_dl)
    {% if not (loop.last and outer_loop.last) %}union all{% endif %}
    {% endfor %}
    {% endfor %}
)

select
    *,
    cast(extract(year from sampled_on) as integer) as year,
    case
        when ph is null then null
        when ph <= 5.5 then 0
        when ph <= 6.5 then 1
        when ph <= 7.5 then 2
        else 3
    end as ph_band
from unpivoted
