"""Example DAGs: the PySpark Pi job (examples/pi.py) run through Kindling, once with a worker
slot held while it runs (synchronous) and once deferred to the triggerer (deferrable).

Needs a ``kindling_default`` connection whose password is an api token, e.g. the admin token
that ``./kindling up`` writes to ``.kindling/admin.token``:

    airflow connections add kindling_default --conn-type kindling --conn-host 127.0.0.1 --conn-port 8080 \
        --conn-password "$(cat .kindling/admin.token)"

(Without that connection the hook uses ``KINDLING_API_URL``, default http://127.0.0.1:8080, and the
token from ``KINDLING_TOKEN``, ``KINDLING_TOKEN_FILE`` or ``$KINDLING_HOME/admin.token``.)

``file://`` tells the operator that the file is already where the Kindling worker can read it
(``./kindling up`` runs the worker on this host); a bare local path would be uploaded through
``POST /v1/artifacts`` instead. ``KINDLING_EXAMPLES_DIR`` overrides where examples/pi.py is.
"""
from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

from airflow import DAG

from kindling_provider.operators.kindling import KindlingSparkSubmitOperator

EXAMPLES = Path(os.environ.get("KINDLING_EXAMPLES_DIR") or Path(__file__).resolve().parents[1])
PI = f"file://{EXAMPLES / 'pi.py'}"

with DAG(dag_id="kindling_pi_sync", start_date=datetime(2026, 1, 1), schedule=None, catchup=False,
         tags=["kindling", "example"]):
    KindlingSparkSubmitOperator(
        task_id="pi",
        application=PI,
        application_args=["{{ params.partitions }}"],
        params={"partitions": 4},
        name="pi-{{ ds_nodash }}",
        conf={"spark.ui.showConsoleProgress": "false"},
        driver_memory="1g",
        labels={"team": "examples"},
        poll_interval=1,
    )

with DAG(dag_id="kindling_pi_deferrable", start_date=datetime(2026, 1, 1), schedule=None, catchup=False,
         tags=["kindling", "example"]):
    KindlingSparkSubmitOperator(
        task_id="pi",
        application=PI,
        application_args=["4"],
        deferrable=True,
        poll_interval=2,
    )
