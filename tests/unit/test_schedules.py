"""The daily schedule loads the day that just closed, and the sensor chains the warehouse build."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from dagster import DefaultScheduleStatus, DefaultSensorStatus, build_schedule_context

CST = timezone(timedelta(hours=8))


def test_daily_schedule_targets_the_previous_local_day():
    from orchestration.definitions import defs

    schedule = defs.get_schedule_def("monitoring_daily_job_schedule")
    assert schedule.execution_timezone == "Asia/Shanghai"
    assert schedule.default_status == DefaultScheduleStatus.RUNNING  # the daemon runs it without a click
    tick = datetime(2026, 11, 28, 1, 30, tzinfo=CST)
    result = schedule.evaluate_tick(build_schedule_context(scheduled_execution_time=tick))
    assert [r.partition_key for r in result.run_requests] == ["2026-11-27"]


def test_warehouse_sensor_watches_the_monitoring_job():
    from dagster import RunStatusSensorDefinition

    from orchestration.definitions import defs, warehouse_after_monitoring

    sensor = defs.get_sensor_def("warehouse_after_monitoring")
    assert isinstance(sensor, RunStatusSensorDefinition)
    assert sensor.job_name == "warehouse_job"
    assert sensor.default_status == DefaultSensorStatus.RUNNING
    assert sensor is warehouse_after_monitoring
