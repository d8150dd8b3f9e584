"""Imports that moved between Airflow 2.10 and Airflow 3 (the Task SDK)."""
from __future__ import annotations

try:  # Airflow 3.x
    from airflow.sdk import BaseHook, BaseOperator, BaseOperatorLink, BaseSensorOperator
    from airflow.sdk.bases.xcom import BaseXCom as XCom
    AIRFLOW_3 = True
except ImportError:  # Airflow 2.10
    from airflow.hooks.base import BaseHook  # type: ignore[no-redef]
    from airflow.models import BaseOperator, BaseOperatorLink, XCom  # type: ignore[no-redef,assignment]
    from airflow.sensors.base import BaseSensorOperator  # type: ignore[no-redef]
    AIRFLOW_3 = False

from airflow.exceptions import AirflowException, AirflowNotFoundException  # noqa: E402

try:
    from airflow.exceptions import AirflowFailException
except ImportError:  # pragma: no cover
    AirflowFailException = AirflowException  # type: ignore[misc,assignment]

__all__ = ["AIRFLOW_3", "AirflowException", "AirflowFailException", "AirflowNotFoundException", "BaseHook",
           "BaseOperator", "BaseOperatorLink", "BaseSensorOperator", "XCom"]
