"""Apache Airflow provider for Kindling: run Spark jobs through the Kindling api."""
from __future__ import annotations

from typing import Any

__version__ = "0.1.0"


def get_provider_info() -> dict[str, Any]:
    """Read by Airflow through the ``apache_airflow_provider`` entry point."""
    return {
        "package-name": "airflow-provider-kindling",
        "name": "Kindling",
        "description": "Run Apache Spark jobs through Kindling (HTTP api, logs streamed into the task log).",
        "versions": [__version__],
        "connection-types": [
            {"connection-type": "kindling", "hook-class-name": "kindling_provider.hooks.kindling.KindlingHook"},
        ],
        "hooks": [{"integration-name": "Kindling", "python-modules": ["kindling_provider.hooks.kindling"]}],
        "operators": [{"integration-name": "Kindling", "python-modules": ["kindling_provider.operators.kindling"]}],
        "sensors": [{"integration-name": "Kindling", "python-modules": ["kindling_provider.sensors.kindling"]}],
        "triggers": [{"integration-name": "Kindling", "python-modules": ["kindling_provider.triggers.kindling"]}],
        "extra-links": [
            "kindling_provider.links.KindlingJobLogsLink",
            "kindling_provider.links.KindlingSparkUiLink",
        ],
    }
