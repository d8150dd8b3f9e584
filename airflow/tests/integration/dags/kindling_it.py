"""DAGs of the integration tests: a failing Spark job and a long one that the test kills."""
from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

from airflow import DAG

from kindling_provider.operators.kindling import KindlingSparkSubmitOperator

EXAMPLES = Path(os.environ["KINDLING_EXAMPLES_DIR"])

with DAG(dag_id="kindling_it_fail", start_date=datetime(2026, 1, 1), schedule=None, catchup=False):
    KindlingSparkSubmitOperator(task_id="fail", application=f"file://{EXAMPLES / 'fail.py'}",
                                application_args=["7"], poll_interval=1, retries=0)

with DAG(dag_id="kindling_it_kill", start_date=datetime(2026, 1, 1), schedule=None, catchup=False):
    # long enough to be killed while RUNNING: ~ a minute of sampling on two cores
    KindlingSparkSubmitOperator(task_id="long", application=f"file://{EXAMPLES / 'pi.py'}",
                                application_args=["3000"], poll_interval=1, retries=0)

with DAG(dag_id="kindling_it_resume", start_date=datetime(2026, 1, 1), schedule=None, catchup=False):
    # numbered stdout lines over ~40 s: the test kills the first run mid-job, runs the same try
    # again and checks that the second run writes only the lines after the saved offset
    KindlingSparkSubmitOperator(task_id="numbers", application=f"file://{EXAMPLES / 'numbered_lines.py'}",
                                application_args=["400", "40"], log_streams=("stdout",), poll_interval=1,
                                log_offsets_save_interval=1, retries=0)
