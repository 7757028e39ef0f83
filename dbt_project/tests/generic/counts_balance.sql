{#- Passes when `total` equals the sum of `parts` on every row (received = loaded + quarantined + duplicates). -#}
{% test counts_balance(model, total, parts) %}
    select *
    from {{ model }}
    where {{ total }} is null or {{ total }} != {{ parts | join(' + ') }}
{% endtest %}
