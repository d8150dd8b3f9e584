"""Imports that moved between Airflow 2.10 and Airflow 3 (the Task SDK)."""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # type-checked against Airflow 3 (the pinned test environment)
    from airflow.sdk import BaseHook, BaseOperator, BaseOperatorLink, BaseSensorOperator
    from airflow.sdk.bases.xcom import BaseXCom as XCom

    AIRFLOW_3 = True
else:
    try:  # Airflow 3.x
        from airflow.sdk import BaseHook, BaseOperator, BaseOperatorLink, BaseSensorOperator
        from airflow.sdk.bases.xcom import BaseXCom as XCom

        AIRFLOW_3 = True
    except ImportError:  # Airflow 2.10
        from airflow.hooks.base import BaseHook
        from airflow.models import BaseOperator, BaseOperatorLink, XCom
        from airflow.sensors.base import BaseSensorOperator

        AIRFLOW_3 = False

from airflow.exceptions import AirflowException, AirflowNotFoundException

try:
    from airflow.exceptions import AirflowFailException
except ImportError:  # pragma: no cover
    AirflowFailException = AirflowException  # type: ignore[misc,assignment]

__all__ = ["AIRFLOW_3", "AirflowException", "AirflowFailException", "AirflowNotFoundException", "BaseHook",
           "BaseOperator", "BaseOperatorLink", "BaseSensorOperator", "XCom"]
