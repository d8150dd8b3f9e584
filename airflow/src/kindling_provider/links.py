"""Operator extra links: the job's driver log (api) and the Spark UI of its latest attempt."""
from __future__ import annotations

from typing import Any

from kindling_provider._compat import BaseOperatorLink, XCom

JOB_XCOM_KEY = "kindling_job"


def _job_xcom(ti_key: Any) -> dict[str, Any]:
    try:
        value = XCom.get_value(ti_key=ti_key, key=JOB_XCOM_KEY)
    except Exception:  # noqa: BLE001 - a link must never break the UI
        return {}
    return value if isinstance(value, dict) else {}


class KindlingJobLogsLink(BaseOperatorLink):
    name = "Kindling job logs"

    def get_link(self, operator: Any, *, ti_key: Any) -> str:
        return _job_xcom(ti_key).get("logs_url") or ""


class KindlingSparkUiLink(BaseOperatorLink):
    name = "Spark UI"

    def get_link(self, operator: Any, *, ti_key: Any) -> str:
        return _job_xcom(ti_key).get("spark_ui_url") or ""
