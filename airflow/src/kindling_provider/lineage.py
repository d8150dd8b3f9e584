"""OpenLineage: the job's Spark conf gets the Airflow task's parent-job information and
Airflow's OpenLineage transport, the way the official Spark operators do it.

The injection is done by Airflow's OpenLineage provider itself
(``airflow.providers.openlineage.utils.spark``): ``spark.openlineage.parentJobNamespace``,
``parentJobName``, ``parentRunId``, ``rootParentJobNamespace``, ``rootParentJobName``,
``rootParentRunId``, and ``spark.openlineage.transport.*`` from ``[openlineage] transport``
(an ``http`` transport, or the ``http`` members of a ``composite`` one). Whether each part is
injected defaults to ``[openlineage] spark_inject_parent_job_info`` /
``spark_inject_transport_info``; an operator may say otherwise.

A key the user set in ``conf`` is never overridden: the provider's helpers skip the parent
(transport) part as a whole when any ``spark.openlineage.parent*`` (``transport*``) key is
present, and a key the user set is put back over whatever was injected (e.g. a
``rootParentRunId`` of the user's own). Nothing is injected when the OpenLineage provider is
not installed, or is installed but disabled / not configured (no transport).
"""
from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from airflow.sdk import Context

log = logging.getLogger(__name__)


class Log(Protocol):
    """What is logged to: a ``logging.Logger`` or an operator's ``self.log`` (structlog in Airflow 3)."""

    def info(self, msg: str, /, *args: Any) -> Any: ...

    def warning(self, msg: str, /, *args: Any) -> Any: ...

PARENT_KEYS = (
    "spark.openlineage.parentJobNamespace",
    "spark.openlineage.parentJobName",
    "spark.openlineage.parentRunId",
    "spark.openlineage.rootParentJobNamespace",
    "spark.openlineage.rootParentJobName",
    "spark.openlineage.rootParentRunId",
)
TRANSPORT_PREFIX = "spark.openlineage.transport."


def inject_openlineage(conf: Mapping[str, Any] | None, context: Context, *, parent_job_info: bool | None = None,
                       transport_info: bool | None = None, logger: Log | None = None) -> dict[str, Any]:
    """``conf`` with the OpenLineage properties added (a new dict; ``conf`` is not changed).

    ``parent_job_info`` / ``transport_info``: ``None`` takes the OpenLineage provider's
    ``spark_inject_parent_job_info`` / ``spark_inject_transport_info`` setting.
    """
    logger = logger if logger is not None else log
    user = dict(conf or {})
    try:
        from airflow.providers.openlineage import conf as ol_conf
        from airflow.providers.openlineage.utils.spark import (
            inject_parent_job_information_into_spark_properties,
            inject_transport_information_into_spark_properties,
        )
    except ImportError:
        if parent_job_info or transport_info:
            logger.warning("apache-airflow-providers-openlineage is not installed: no OpenLineage information is "
                           "injected into the job's Spark conf")
        return user
    parent = ol_conf.spark_inject_parent_job_info() if parent_job_info is None else parent_job_info
    transport = ol_conf.spark_inject_transport_info() if transport_info is None else transport_info
    if not (parent or transport):
        return user
    if ol_conf.is_disabled():
        logger.info("OpenLineage is disabled or has no transport configured in Airflow: no OpenLineage "
                    "information is injected into the job's Spark conf")
        return user
    properties: dict[str, Any] = dict(user)
    if parent:
        properties = inject_parent_job_information_into_spark_properties(properties, context)
    if transport:
        try:
            properties = inject_transport_information_into_spark_properties(properties, context)
        except Exception as e:  # noqa: BLE001 - lineage must never fail the job
            logger.warning("could not read Airflow's OpenLineage transport (%s: %s): the job's Spark conf gets "
                           "no spark.openlineage.transport.* settings", type(e).__name__, e)
    properties.update(user)  # whatever the user set wins
    added = sorted(set(properties) - set(user))
    if added:  # names only: a transport's api key is a secret
        logger.info("OpenLineage: added to the job's Spark conf: %s", ", ".join(added))
    return properties
